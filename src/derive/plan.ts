import meshCa from "../capabilities/cluster-mesh/ca.sh.hbs?template";
import meshKeep from "../capabilities/cluster-mesh/keep.sh.hbs?template";
import { check, type PlanStep } from "../plan/step.js";
import type { InstallSettings, UninstallSettings } from "../settings.js";

/** The install plan, in registry order, from the install and uninstall settings (until each capability returns its own). */
export function derivePlan(s: InstallSettings, u: UninstallSettings): PlanStep[] {
  const next = s.next;
  const steps: PlanStep[] = [];
  // cluster-mesh
  if (s.mesh !== null) {
    const m = s.mesh;
    if (m.caFrom !== null) {
      steps.push(check("cluster-mesh/ca", "decide", { render: meshCa, words: { caSecret: m.caSecret }, texts: { caSecretText: m.caSecret, caFromText: m.caFrom, scriptText: m.script } }, { when: "first-install" }));
    }
    steps.push(check("cluster-mesh/keep", "keep", { render: meshKeep }, { provide: ["mesh_args"], need: ["installed_version"], helmArgs: { variable: "mesh_args", position: "before-values" } }));
  }
  if (next.mesh !== null) {
    const undo = u.notes.mesh === null ? null : { kind: "external" as const, note: "the peers disconnect themselves", tell: u.notes.mesh };
    steps.push({ kind: "say", id: "cluster-mesh/next", phase: "next-steps", text: next.mesh, undo });
  }
  return steps;
}
