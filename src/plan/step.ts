import type { ShellValueKind } from "../text/shell.js";

/**
 * The install plan as data: the steps install.sh runs and the undo of each step that changes the cluster.
 * Capabilities return steps; src/plan/bash.ts writes install.sh and uninstall.sh from them. Tests read the
 * plan as data (phase order, undo pairs, nothing that changes the cluster before the checks).
 */

/**
 * What orders the steps (never the registry alone): install.sh runs the phases in this order, and the
 * steps of one phase in registry order. The phases up to "keep" only read the cluster.
 */
export const PHASES = [
  /** is kubectl pointed at the cluster the profile describes */
  "connect",
  /** the release this bundle installs, if any */
  "inspect-release",
  /** what runs on the cluster: its network, a Cilium not ours */
  "inspect-cluster",
  /** what a capability needs to find on the cluster (an add-on's CRD, an agent's version) */
  "requirements",
  /** values read from the cluster for later steps (provide a shell variable) */
  "reads",
  /** install, minor upgrade, upgrade or nothing to do; first-install checks run inside */
  "decide",
  /** the chart can be fetched */
  "chart-source",
  /** what the installed release keeps across an upgrade */
  "keep",
  /** the platform's own components that Cilium replaces, scheduled nowhere (first change) */
  "switch-off",
  /** what the chart's Pods read from their start: CNI configuration, CRDs */
  "before-chart",
  /** keys created once */
  "secrets",
  /** the platform's objects Cilium makes useless, removed */
  "hand-over",
  /** Cilium's pre-flight check and the release itself */
  "chart",
  /** the agents roll out */
  "rollout",
  /** objects applied once the chart runs */
  "after-chart",
  /** objects that need cilium-operator up (its CRDs) */
  "after-operator",
  /** nodes join last */
  "nodes",
  /** printed: what to do next */
  "next-steps",
  /** printed: the ports the nodes' security group must allow */
  "ports",
  /** printed last: hand the cluster to its GitOps engine */
  "engine",
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases whose steps only read the cluster: every change comes after the last of them. */
export const READ_ONLY_PHASES: readonly Phase[] = ["connect", "inspect-release", "inspect-cluster", "requirements", "reads", "decide", "chart-source", "keep"];

/** uninstall.sh runs its phases in this order, and the undos of one phase in install order. */
export const UNDO_PHASES = [
  /** what runs on Cilium's objects goes first (a redirect policy, a log collection) */
  "before-chart-removal",
  "chart-removal",
  /** what the chart read (CNI configuration), and what was only applied beside it */
  "after-chart-removal",
  /** the platform's components scheduled again */
  "restore",
] as const;
export type UndoPhase = (typeof UNDO_PHASES)[number];

/** A value from the profile, with what it must be (checked against its pattern before it is written); a plain string is the bundle's own constant. */
export type Word = string | { kind: ShellValueKind; value: string };

/**
 * A bash fragment with its own template: `words` are shell-quoted once by the emitter (sh()), `texts` go
 * inside double-quoted messages and must hold no character special there, `lists` are words quoted one by one.
 */
export interface Snippet {
  /** The fragment's text (a *.sh.hbs file of the capability): {{name}} substitutions, and {{#each list}} ... {{/each}} lines. */
  template: string;
  words?: Readonly<Record<string, Word>>;
  texts?: Readonly<Record<string, Word>>;
  /** Lists of words, each shell-quoted (a profile value after its pattern check, as for words). */
  lists?: Readonly<Record<string, readonly Word[]>>;
}

/** Every step that changes the cluster says how uninstall.sh undoes it: commands, or why it is kept. */
export type Undo =
  | {
      kind: "commands";
      phase: UndoPhase;
      title: string;
      script: Snippet;
      needsBundleFiles: boolean;
      /** What the commands cannot do themselves (a Terraform change), printed under "What is left to do". */
      tell?: string | null;
    }
  /** The object stays on purpose; `tell`, when set, is printed under uninstall.sh's "What is left to do". */
  | { kind: "keep"; note: string; tell: string | null }
  /** Someone else undoes it (TKE re-applies its add-on, an operator); `tell` as for keep. */
  | { kind: "external"; note: string; tell: string | null };

interface StepBase {
  /** Unique in a plan: "<capability>/<what>". */
  id: string;
  phase: Phase;
}

/** A read-only check or read; `provide` names the shell variables it sets, `need` those it uses. */
export interface CheckStep extends StepBase {
  kind: "check";
  script: Snippet;
  provide: readonly string[];
  need: readonly string[];
  /** "first-install": runs only when the release is not installed yet (inside the decide step). */
  when: "always" | "first-install";
  /** A provided bash array the release's helm command passes, before or after the values files. */
  helmArgs: { variable: string; position: "before-values" | "after-values" } | null;
}

/** `kubectl get crd` or stop with a hint: what the capability needs installed by someone else first. */
export interface RequireCrdStep extends StepBase {
  kind: "require-crd";
  crd: string;
  hint: string;
}

/** The decision between install, minor upgrade, upgrade and nothing (core). */
export interface DecideStep extends StepBase {
  kind: "decide";
  script: Snippet;
  provide: readonly string[];
  need: readonly string[];
}

/** kubectl apply of a bundle file. */
export interface ApplyStep extends StepBase {
  kind: "apply";
  title: string;
  file: string;
  serverSide: boolean;
  /** CRDs the file holds that must be Established before anything after it (the chart) runs. */
  established: readonly string[];
  undo: Undo;
}

/** DaemonSets of the platform scheduled nowhere (a nodeSelector no node has). */
export interface PatchStep extends StepBase {
  kind: "patch";
  title: string;
  daemonSets: readonly { name: string; optional: boolean }[];
  nodeSelector: Readonly<Record<string, string>>;
  undo: Undo;
}

/** A platform object deleted when it exists. */
export interface DeleteStep extends StepBase {
  kind: "delete";
  title: string;
  resource: string;
  name: string;
  undo: Undo;
}

/** A change too particular for the kinds above (a key created once, a manifest filled from a read). */
export interface RunStep extends StepBase {
  kind: "run";
  script: Snippet;
  need: readonly string[];
  undo: Undo;
}

/** The release: Cilium's pre-flight check on a minor upgrade, then helm upgrade --install (core). */
export interface HelmStep extends StepBase {
  kind: "helm";
  valuesFiles: readonly string[];
  preflight: { release: string; daemonSet: string; valuesFile: string };
  undo: Undo;
}

/**
 * Proof, before the first change, that the release will install: helm upgrade --install --dry-run=server with
 * the release's own values files and arguments (the apiserver renders and validates it, Helm checks ownership).
 * Changes nothing.
 */
export interface ProveChartStep extends StepBase {
  kind: "prove-chart";
}

/** A kind of object an add-on's files hold, labelled with the add-on's id (knowledge/bundle.ts ADDON_LABEL). */
export interface Leftover {
  /** The resource as kubectl names it (plural.group). */
  resource: string;
  /** Its namespace; null when cluster-scoped. */
  namespace: string | null;
  /** The CRD that must exist for kubectl to know the resource; null for a built-in one. */
  crd: string | null;
}

/**
 * The objects an earlier bundle applied for an add-on this bundle has off, found by their labels and deleted
 * (only objects labelled as the bundle's, of the add-ons that are off), in the order given: what redirects
 * traffic to an add-on goes before the add-on, so what it had replaced works again. Never a CRD.
 */
export interface PruneStep extends StepBase {
  kind: "prune";
  addons: readonly { id: string; objects: readonly Leftover[]; note: string | null }[];
  undo: Undo;
}

/** A line of the next steps install.sh prints at the end. */
export interface SayStep extends StepBase {
  kind: "say";
  text: string;
  /** What the user does next may change the cluster too (connect a mesh): its undo, or null. */
  undo: Undo | null;
}

export type PlanStep = CheckStep | RequireCrdStep | DecideStep | ApplyStep | PatchStep | DeleteStep | RunStep | HelmStep | ProveChartStep | SayStep | PruneStep;
export type MutatingStep = ApplyStep | PatchStep | DeleteStep | RunStep | HelmStep | PruneStep;

export const isMutating = (s: PlanStep): s is MutatingStep =>
  s.kind === "apply" || s.kind === "patch" || s.kind === "delete" || s.kind === "run" || s.kind === "helm" || s.kind === "prune";

/** A check step with the usual defaults. */
export function check(id: string, phase: Phase, script: Snippet, more: Partial<Pick<CheckStep, "provide" | "need" | "when" | "helmArgs">> = {}): CheckStep {
  return { kind: "check", id, phase, script, provide: more.provide ?? [], need: more.need ?? [], when: more.when ?? "always", helmArgs: more.helmArgs ?? null };
}

/** The steps in the order install.sh runs them: by phase, then in the order given (the registry's). */
const PHASE_RANK = new Map<Phase, number>(PHASES.map((p, i) => [p, i]));

export function orderPlan(steps: readonly PlanStep[]): PlanStep[] {
  // Array.prototype.sort is stable: steps of one phase keep the order given
  return [...steps].sort((a, b) => PHASE_RANK.get(a.phase)! - PHASE_RANK.get(b.phase)!);
}
