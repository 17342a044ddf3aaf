import type { ChartCatalog } from "../knowledge/chart.js";
import type { MeshDirectory } from "../mesh-peers.js";
import type { Leftover, PlanStep } from "../plan/step.js";
import type { FilledProfile } from "../profile.js";
import type { CodeEntry, Severity } from "../rules/code-entry.js";
import type { Finding } from "../rules/finding.js";
import type { CheckedSettings, DeliverySettings, GitopsContext, ImageCopy, PlatformPrelude, ValueEntry } from "../settings.js";
import type { ResolvedFeatures } from "../derive/features.js";
import type { OutputFile } from "../emit/output.js";
import type { Platform } from "../knowledge/platforms.js";

/**
 * A capability: one datapath mode, add-on or platform, in one folder, as one object of this shape (as an
 * ESLint rule is meta + create). Its slice of the settings is resolved once; everything else is a pure
 * function of the slice. It never reads another capability's slice, nor imports another capability:
 * constraints across capabilities are bundle rules over the merged values.
 */
export interface Capability<S, C extends string = never> {
  id: string;
  /** Exactly one platform is active; datapath modes exclude each other; add-ons combine. */
  kind: "platform" | "datapath" | "add-on";
  /** The platforms (profile.platform) it serves: its rules run and it resolves only there. Default: tke. */
  platforms: readonly Platform[];
  summary: string;
  /** The profile fields it owns (JSON pointers); a field it adds to the schema sits in its folder's schema.json. */
  fields: readonly string[];
  /** The diagnostic codes it owns: its rules report them, and `tke-cilium explain` lists them. */
  codes: readonly CodeEntry<C>[];
  /** Checks on the schema-valid profile. */
  profileRules: readonly CapabilityRule<C, (profile: FilledProfile, context: CapabilityRuleContext) => Finding[]>[];
  /**
   * For each of its codes a rule reports, the rule's tests as data (test/rules.test.ts runs them): a patch over
   * a minimal native profile that trips it (where, how severe) and a near-identical one that does not.
   */
  examples: readonly RuleExample<C>[];
  /** Checks on the derived bundle (the merged Helm values, the plan). */
  bundleRules: readonly CapabilityRule<C, (settings: CheckedSettings, profile: FilledProfile) => Finding[]>[];
  /** Its settings slice, or null when the profile does not ask for it. */
  resolve(profile: FilledProfile, context: ResolveContext): S | null;
  /** Its Helm values, into the values file they belong to (in registry order within a file). */
  values(slice: S): Partial<Record<ValuesFileKey, readonly ValueEntry[]>>;
  /** Images it runs beyond the chart's, to copy into a private registry (images.txt). */
  images(slice: S): readonly ImageCopy[];
  /** Its files of the bundle. */
  files(slice: S, context: FilesContext): OutputFile[];
  /** Its entries of bundle.json. */
  delivery(slice: S): DeliveryContribution;
  /** Its steps of install.sh, each change with its undo (uninstall.sh). */
  plan(slice: S, context: PlanContext): PlanStep[];
  /**
   * The kinds of objects its files label as its own (addonLabels): when the profile turns it off, install.sh
   * deletes those an earlier bundle left, in this order. Known without a slice, since it is off then.
   */
  leftovers: readonly Leftover[];
  /** Printed once install.sh removed its leftovers (what stays on purpose, a CRD that may hold the user's objects). */
  leftoverNote: string | null;
  /** A platform's part of install.sh's and uninstall.sh's preludes (kind "platform": exactly one is active). */
  prelude?(slice: S): PlatformPrelude;
}


export interface RuleExample<C extends string> {
  code: C;
  fires: Readonly<Record<string, unknown>>;
  pointer: string;
  severity?: Severity;
  quiet: Readonly<Record<string, unknown>>;
  /** Another profile of the same run (a mesh's peer). */
  peer?: Readonly<Record<string, unknown>>;
}

export interface CapabilityRule<C extends string, F> {
  code: C;
  check: F;
}

/** The values files a capability may add to, in the order helm reads them. */
export type ValuesFileKey = "tke" | "images" | "features";

/** What the plan may consult that exists only once the values are merged. */
export interface PlanContext {
  /** The values files of the bundle, in helm's order (empty ones left out). */
  valuesFiles: readonly string[];
}

export interface DeliveryContribution {
  manifests?: DeliverySettings["manifests"];
  terraform?: DeliverySettings["terraform"];
  scripts?: Partial<Record<"clustermesh" | "egressPolicy", string>>;
}

/** What resolve may consult besides the profile: the run, and the feature switches core derived once. */
export interface ResolveContext {
  /** The bundle's output folder name. */
  name: string;
  profilePath: string;
  charts: ChartCatalog;
  mesh: MeshDirectory;
  features: ResolvedFeatures;
  /** A GitOps engine delivers the bundle (tke-cilium.json names one). */
  gitops: boolean;
}

export interface CapabilityRuleContext {
  charts: ChartCatalog;
  gitops?: GitopsContext | null;
  mesh?: MeshDirectory;
  path?: string;
}

/** What a capability's files need from the bundle: the header every file carries. */
export interface FilesContext {
  header(purpose: string): string[];
  /** Annotations of objects delivered after the chart (Argo CD's sync wave); empty without an engine. */
  afterChart: Readonly<Record<string, string>>;
}

/** Every optional part at its empty default: a capability spells out only what it has. */
export function defineCapability<S, C extends string = never>(
  c: Pick<Capability<S, C>, "id" | "kind" | "summary" | "resolve"> & Partial<Omit<Capability<S, C>, "id" | "kind" | "summary" | "resolve">>,
): Capability<S, C> {
  return {
    platforms: ["tke"],
    fields: [],
    codes: [],
    profileRules: [],
    examples: [],
    bundleRules: [],
    values: () => ({}),
    images: () => [],
    files: () => [],
    delivery: () => ({}),
    plan: () => [],
    leftovers: [],
    leftoverNote: null,
    ...c,
  };
}
