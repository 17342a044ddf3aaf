import { afterAll, describe, it } from "vitest";
import { removeFakeClusters } from "../fake-cluster/cluster.js";
import { matrixCases, presetCases, runMinorChain, runRecovery, runScenario } from "../scenario.js";

afterAll(removeFakeClusters);

/** The whole scenario suite (see test/scenario.ts): every preset, the fleet, and the pairwise add-on matrix. */
describe.concurrent("the scenario suite: every preset", () => {
  it.each(presetCases())("$name: a cluster's life", async (c) => runScenario(c));
  it.each(presetCases())("$name: helm failing, transient errors", async (c) => runRecovery(c));
});

describe.concurrent("the scenario suite: the add-on matrix", () => {
  it.each(matrixCases())("$name: a cluster's life", async (c) => runScenario(c));
});

describe.concurrent("the scenario suite: two minor upgrades in a row", () => {
  const rows = matrixCases().filter((c) => c.profile.features.gatewayApi === true);
  it.each(rows)("$name: 1.18.12 -> 1.19.6 -> 1.20.0", async (c) => runMinorChain(c, ["1.18.12", "1.19.6", "1.20.0"]));
});
