import { afterAll, describe, expect, it } from "vitest";
import { removeFakeClusters } from "./fake-cluster/cluster.js";
import { matrixCases, pairwiseRows, presetCases, runRecovery, runScenario } from "./scenario.js";

afterAll(removeFakeClusters);

/**
 * The scenario suite, one representative slice (the whole of it, every preset and the add-on matrix, is
 * test/slow/scenario.test.ts): a profile walked through install -> re-run -> patch upgrade -> minor upgrade ->
 * add-on on -> add-on off -> datapath change (refused) -> uninstall -> reinstall on the fake cluster, whose
 * operator needs the Gateway API CRDs of its minor and whose releases own objects as Helm does.
 */

// TKE's recovery (presets/prod.json and every other preset) is test/slow/scenario.test.ts's; npm test has its two
// halves in test/lifecycle.test.ts (helm failing after the switch-offs, a transient helm history error)
describe.concurrent("the scenario suite (a slice: one row of the add-on matrix; kubeadm recovers)", () => {
  // the row with Gateway API: its CRDs change with the minor upgrade, and the fake operator judges them
  const row = matrixCases().find((c) => c.profile.features.gatewayApi === true && c.profile.features.nodeLocalDns === true)!;
  const recovering = presetCases().filter((c) => c.name === "presets/kubeadm.json");

  it("the add-on matrix covers every pair of add-ons in all four on/off combinations", () => {
    const rows = pairwiseRows(["a", "b", "c", "d", "e", "f"]);
    for (const x of "abcdef") for (const y of "abcdef") if (x < y) for (const [vx, vy] of [[false, false], [false, true], [true, false], [true, true]]) expect(rows.some((r) => r[x] === vx && r[y] === vy), `${x}=${vx} ${y}=${vy}`).toBe(true);
    expect(rows.length).toBeLessThan(10);
  });

  it(`${row.name}: a cluster's life`, async () => runScenario(row), 120_000);
  it.each(recovering)("$name: helm failing, transient errors", async (c) => runRecovery(c), 60_000);
});
