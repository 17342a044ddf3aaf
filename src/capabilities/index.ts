import type { OutputFile } from "../emit/output.js";
import { PLATFORMS, type Platform } from "../knowledge/platforms.js";
import { memo } from "../memo.js";
import type { PlanStep, PruneStep } from "../plan/step.js";
import type { FilledProfile } from "../profile.js";
import type { Finding } from "../rules/finding.js";
import type { ActiveCapability, CheckedSettings, DeliverySettings, ImageCopy, PlatformPrelude, ValueEntry } from "../settings.js";
import type { Capability, CapabilityRuleContext, DeliveryContribution, FilesContext, PlanContext, ResolveContext, ValuesFileKey } from "./capability.js";
import { apf } from "./apf/index.js";
import { bandwidthManager } from "./bandwidth-manager/index.js";
import { cilium } from "./cilium/index.js";
import { clusterMesh } from "./cluster-mesh/index.js";
import { egressGateway } from "./egress-gateway/index.js";
import { encryption } from "./encryption/index.js";
import { endpointSlice } from "./endpoint-slice/index.js";
import { flowLogs } from "./flow-logs/index.js";
import { gatewayApi } from "./gateway-api/index.js";
import { gitopsCertificates } from "./gitops-certificates/index.js";
import { hubble } from "./hubble/index.js";
import { hubbleUiClb } from "./hubble-ui-clb/index.js";
import { k3s } from "./k3s/index.js";
import { karpenter } from "./karpenter/index.js";
import { kubeadm } from "./kubeadm/index.js";
import { kubespray } from "./kubespray/index.js";
import { masquerade } from "./masquerade/index.js";
import { native } from "./native/index.js";
import { nodeLocalDns } from "./node-local-dns/index.js";
import { overlayGr } from "./overlay-gr/index.js";
import { overlayVpcCni } from "./overlay-vpc-cni/index.js";
import { scaleTuning } from "./scale-tuning/index.js";
import { terraformPools } from "./terraform-pools/index.js";
import { tke } from "./tke/index.js";

/**
 * The registry: every capability, in the order that is visible in the bundle. Within a values file its
 * entries follow this order; within a phase of install.sh its steps do; uninstall.sh reads the undos of one
 * phase in it. Add a capability: its folder, and one line here.
 */
export const CAPABILITIES = [
  native,
  overlayVpcCni,
  overlayGr,
  apf,
  karpenter,
  terraformPools,
  tke,
  kubeadm,
  k3s,
  kubespray,
  cilium,
  nodeLocalDns,
  hubble,
  egressGateway,
  masquerade,
  endpointSlice,
  bandwidthManager,
  encryption,
  gatewayApi,
  flowLogs,
  clusterMesh,
  gitopsCertificates,
  scaleTuning,
  hubbleUiClb,
  // each capability has its own slice type: the fold below reads them through AnyCapability
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
] as const satisfies readonly Capability<any, string>[];

type AnyCapability = Capability<unknown, string>;
type CapabilityCode = (typeof CAPABILITIES)[number]["codes"][number]["code"];
interface ProfileRule {
  code: CapabilityCode;
  check: (profile: FilledProfile, context: CapabilityRuleContext) => Finding[];
}
interface BundleRule {
  code: CapabilityCode;
  check: (settings: CheckedSettings, profile: FilledProfile) => Finding[];
}
const REGISTRY: readonly AnyCapability[] = CAPABILITIES as unknown as readonly AnyCapability[];
const RANK = new Map(REGISTRY.map((c, i) => [c.id, i]));

/**
 * The features (/features/X) of the add-ons that do not serve a platform: on that platform the bundle carries
 * nothing for them, so a profile that turns one on is refused (FIELD_NOT_FOR_PLATFORM) rather than ignored.
 */
export function addOnFeaturesNotServing(platform: Platform): string[] {
  return REGISTRY.filter((c) => c.kind === "add-on" && !c.platforms.includes(platform)).flatMap((c) => c.fields.filter((f) => f.startsWith("/features/")));
}

/** The registry position of a step or entry's owner ("<id>/..." or "<id>"). */
export function ownerRank(owner: string): number {
  const rank = RANK.get(owner.split("/")[0]);
  if (rank === undefined) throw new Error(`bug: ${owner} belongs to no capability`);
  return rank;
}

/** The capabilities' profile rules and bundle rules, in registry order. */
export const CAPABILITY_PROFILE_RULES = REGISTRY.flatMap((c) => c.profileRules) as readonly ProfileRule[];
export const CAPABILITY_BUNDLE_RULES = REGISTRY.flatMap((c) => c.bundleRules) as readonly BundleRule[];

/** Per platform, the capabilities serving it and their rules, in registry order: worked out once, not per profile. */
const SERVING = new Map(
  PLATFORMS.map((platform) => {
    const serving = REGISTRY.filter((c) => c.platforms.includes(platform));
    return [platform, { serving, profileRules: serving.flatMap((c) => c.profileRules) as readonly ProfileRule[], bundleRules: serving.flatMap((c) => c.bundleRules) as readonly BundleRule[] }];
  }),
);
const servingOf = (platform: Platform) => {
  const s = SERVING.get(platform);
  if (s === undefined) throw new Error(`bug: no capability serves platform ${platform}`);
  return s;
};
/** The profile rules and bundle rules of the capabilities serving a platform, in registry order. */
export const profileRulesFor = (platform: Platform): readonly ProfileRule[] => servingOf(platform).profileRules;
export const bundleRulesFor = (platform: Platform): readonly BundleRule[] => servingOf(platform).bundleRules;

/** Each capability the profile asks for, with its resolved slice, in registry order. */
export function resolveCapabilities(p: FilledProfile, context: ResolveContext): ActiveCapability[] {
  const active: ActiveCapability[] = [];
  for (const c of servingOf(p.platform).serving) {
    const slice = c.resolve(p, context);
    if (slice !== null) active.push({ id: c.id, slice });
  }
  return active;
}

const capabilityOf = (a: ActiveCapability): AnyCapability => REGISTRY[RANK.get(a.id)!];

const VALUES_FILE_KEYS = ["tke", "images", "features"] as const satisfies readonly ValuesFileKey[];

/** The active capabilities' Helm values, per values file, in registry order. */
export function capabilityValues(active: readonly ActiveCapability[]): Record<ValuesFileKey, ValueEntry[]> {
  const out: Record<ValuesFileKey, ValueEntry[]> = { tke: [], images: [], features: [] };
  for (const a of active) {
    const v = capabilityOf(a).values(a.slice);
    for (const key of VALUES_FILE_KEYS) {
      const entries = v[key];
      if (entries !== undefined) for (const e of entries) out[key].push(e);
    }
  }
  return out;
}

/** Images the active capabilities run beyond the chart's. */
export function capabilityImages(active: readonly ActiveCapability[]): ImageCopy[] {
  return active.flatMap((a) => capabilityOf(a).images(a.slice));
}

/** The active platform's part of the scripts' preludes. */
export function capabilityPrelude(active: readonly ActiveCapability[]): PlatformPrelude {
  for (const a of active) {
    const c = capabilityOf(a);
    if (c.kind === "platform" && c.prelude !== undefined) return c.prelude(a.slice);
  }
  throw new Error("bug: no active platform gives the scripts' prelude");
}

/** The install plan: each active capability's steps, in registry order (src/plan/bash.ts orders them by phase). */
export function capabilityPlan(active: readonly ActiveCapability[], context: PlanContext): PlanStep[] {
  return active.flatMap((a) => capabilityOf(a).plan(a.slice, context));
}

/**
 * install.sh's clean-up: the add-ons serving the platform that the profile leaves off, each with the kinds
 * of objects its files label as its own (an earlier bundle may have applied them); null when none can be left.
 */
export function capabilityLeftovers(platform: Platform, active: readonly ActiveCapability[]): PruneStep | null {
  // the same for every profile of a platform with the same capabilities on: worked out once for each such set
  return leftovers(`${platform} ${active.map((a) => a.id).join(" ")}`, () => pruneStep(platform, active));
}

const leftovers = memo<PruneStep | null>(1_000);

function pruneStep(platform: Platform, active: readonly ActiveCapability[]): PruneStep | null {
  const on = new Set(active.map((a) => a.id));
  const addons = servingOf(platform)
    .serving.filter((c) => !on.has(c.id) && c.leftovers.length > 0)
    .map((c) => ({ id: c.id, objects: c.leftovers, note: c.leftoverNote }));
  if (addons.length === 0) return null;
  return {
    kind: "prune",
    id: "core/leftovers",
    phase: "after-chart",
    addons,
    undo: { kind: "external", note: "turning the add-on on again in the profile re-creates its objects on the next install.sh", tell: null },
  };
}

/** bundle.json's entries from the active capabilities, each manifest with its owner (for ordering). */
export function capabilityDelivery(active: readonly ActiveCapability[]): {
  manifests: (DeliverySettings["manifests"][number] & { owner: string })[];
  terraform: DeliverySettings["terraform"];
  scripts: NonNullable<DeliveryContribution["scripts"]>;
} {
  const manifests: (DeliverySettings["manifests"][number] & { owner: string })[] = [];
  const terraform: DeliverySettings["terraform"] = [];
  const scripts: NonNullable<DeliveryContribution["scripts"]> = {};
  for (const a of active) {
    const d = capabilityOf(a).delivery(a.slice);
    for (const m of d.manifests ?? []) manifests.push({ ...m, owner: a.id });
    if (d.terraform !== undefined) terraform.push(...d.terraform);
    if (d.scripts !== undefined) Object.assign(scripts, d.scripts);
  }
  return { manifests, terraform, scripts };
}

/** Every active capability's files. */
export function capabilityFiles(active: readonly ActiveCapability[], context: FilesContext): OutputFile[] {
  return active.flatMap((a) => capabilityOf(a).files(a.slice, context));
}
