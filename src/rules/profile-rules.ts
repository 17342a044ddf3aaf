import { checkHelmValue, CILIUM_HELM_REPO, isFreeFormValue, type ChartCatalog, type HelmValueProblem } from "../knowledge/chart.js";
import { unknownVersionFinding, unverifiedVersionFinding } from "./versions.js";
import { nearest } from "../text/nearest.js";
import { overlaps } from "../text/cidr.js";
import { compareVersions } from "../text/version.js";
import { extraValueLeaves } from "../derive/helm.js";
import { findUnsupportedOs, findVerifiedOs, VERIFIED_OS } from "../knowledge/os.js";
import { CILIUM_TESTED_KUBERNETES_MAX, KUBERNETES_MINIMUM, KUBERNETES_RECOMMENDED_MINIMUM } from "../knowledge/tke.js";
import { TKE_ONLY_FIELDS } from "../knowledge/platforms.js";
import { SELF_MANAGED_PROFILE_RULES } from "../capabilities/self-managed.js";
import { addOnFeaturesNotServing } from "../capabilities/index.js";
import schema from "../../schema/profile.schema.json" with { type: "json" };
import type { FilledProfile } from "../profile.js";
import type { GitopsContext } from "../settings.js";
import type { MeshDirectory } from "../mesh-peers.js";
import { PLACEHOLDERS } from "../knowledge/placeholders.js";
import type { Code } from "./codes.js";
import { extraPointer, onTkeOnly, type Finding } from "./finding.js";

/** A cross-field check on a schema-valid profile; its code's entry in the catalogue says the rest. */
export interface ProfileRule {
  code: Code;
  check: (profile: FilledProfile, context: RuleContext) => Finding[];
}

/** What the rules may consult besides the profile: the chart releases this run knows, and the GitOps engine of tke-cilium.json. */
export interface RuleContext {
  charts: ChartCatalog;
  gitops?: GitopsContext | null;
  /** The Cluster Mesh members of the run, and this profile's path among them. */
  mesh?: MeshDirectory;
  path?: string;
}


type ExtraValueProblem = { path: string[]; value: unknown; problem: HelmValueProblem | { kind: "dotted"; index: number } };
const extraValueCache = new WeakMap<FilledProfile, ExtraValueProblem[]>();

/**
 * Each path of cilium.extraValues the chart of cilium.version would not take, with what is wrong; worked out
 * once per profile (three rules read it). A key with dots where the chart has no free-form map is refused
 * first: Helm would read "hubble.relay.enabled" as one key of that name and ignore it.
 */
const MAX_SUGGESTIONS = 50;

/** A FlowFilter field by its proto name or its JSON name (both are read). */

function extraValueProblems(p: FilledProfile, charts: ChartCatalog): ExtraValueProblem[] {
  const cached = extraValueCache.get(p);
  if (cached) return cached;
  // a "did you mean" costs a pass over the chart's keys: the first few unknown keys get one, so 20,000 unknown
  // keys cost their own length, not 20,000 passes
  let suggestions = 0;
  const suggest = (word: string, candidates: readonly string[]) => (++suggestions <= MAX_SUGGESTIONS ? nearest(word, candidates) : undefined);
  const problems = !charts.has(p.cilium.version)
    ? []
    : extraValueLeaves(p.cilium.extraValues as Record<string, unknown>).flatMap(([path, value]): ExtraValueProblem[] => {
        const dotted = path.findIndex((key, i) => key.includes(".") && !isFreeFormValue(p.cilium.version, path.slice(0, i), charts));
        if (dotted >= 0) return [{ path, value, problem: { kind: "dotted", index: dotted } }];
        const problem = checkHelmValue(p.cilium.version, path, value, suggest, charts);
        return problem ? [{ path, value, problem }] : [];
      });
  extraValueCache.set(p, problems);
  return problems;
}

function overlapFindings(ranges: readonly string[], pointer: string, others: readonly { cidr: string; what: string }[]): Finding[] {
  return ranges.flatMap((cidr, i) =>
    others.filter((o) => overlaps(cidr, o.cidr)).map((o) => ({ pointer: `${pointer}/${i}`, message: `${cidr} overlaps ${o.what} ${o.cidr}` })),
  );
}

function osFindings(osName: string, pointer: string): Finding[] {
  const bad = findUnsupportedOs(osName);
  if (bad) return [{ pointer, message: `${osName}: ${bad.why}; Cilium needs kernel 5.10 or later. Use tlinux4_x86_64_public or ubuntu24.04x86_64` }];
  if (!findVerifiedOs(osName)) {
    return [
      {
        pointer,
        severity: "warning",
        message: `${osName} is not in the verified OS table (${VERIFIED_OS.map((o) => o.osName).join(", ")}); test it on one node first`,
      },
    ];
  }
  return [];
}

/** The rules on the profile as written (after the schema), in the order `tke-cilium rules` lists them. */
export const PROFILE_RULES: readonly ProfileRule[] = onTkeOnly<Parameters<ProfileRule["check"]>, ProfileRule>([
  {
    code: "FIELD_NOT_FOR_PLATFORM",
    check: (p) =>
      p.platform === "tke"
        ? p.selfManaged === undefined
          ? []
          : [{ pointer: "/selfManaged", message: "selfManaged describes a kubeadm, k3s or kubespray cluster, not this TKE one (platform tke): remove it, or set platform" }]
        : [
            ...(["k3s", "kubespray"] as const).flatMap((other) =>
              p.platform !== other && p.selfManaged?.[other] !== undefined
                ? [{ pointer: `/selfManaged/${other}`, message: `selfManaged.${other} describes a ${other} cluster; this profile's platform is ${p.platform}: remove it` }]
                : [],
            ),
            ...TKE_ONLY_FIELDS.flatMap((field) =>
            (p as Partial<Record<string, unknown>>)[field] === undefined ? [] : [{ pointer: `/${field}`, message: `${field} is a TKE field; this profile's platform is ${p.platform}: remove it` }],
            ),
            // an add-on of TKE bundles turned on (anything but its schema default): the bundle would carry nothing for it
            ...addOnFeaturesNotServing(p.platform).flatMap((pointer) => {
              const key = pointer.slice("/features/".length);
              const value = (p.features as Record<string, unknown>)[key];
              const byDefault = (schema.properties.features.properties as Record<string, { default?: unknown }>)[key]?.default;
              return value === undefined || JSON.stringify(value) === JSON.stringify(byDefault)
                ? []
                : [{ pointer, message: `features.${key} is an add-on of TKE bundles; a ${p.platform} bundle carries nothing for it: remove it` }];
            }),
          ],
  },
  {
    code: "GITOPS_LOCAL_CHART",
    check: (p, context) =>
      context.gitops && !p.cilium.chart.startsWith(`${CILIUM_HELM_REPO.name}/`)
        ? [{ pointer: "/cilium/chart", message: `tke-cilium.json delivers bundles with ${context.gitops.config.engine === "argocd" ? "Argo CD" : "Flux"}, which fetches the chart from a Helm repository, not the local file "${p.cilium.chart}"; use ${CILIUM_HELM_REPO.name}/cilium`, suggestion: `${CILIUM_HELM_REPO.name}/cilium` }]
        : [],
  },
  {
    code: "UNSUPPORTED_CILIUM_VERSION",
    // a known release needs no list of them all (which reads every minor's image data)
    check: (p, { charts }) => (charts.has(p.cilium.version) ? [] : unknownVersionFinding(p.cilium.version, charts.versions())),
  },
  {
    code: "CILIUM_NOT_VERIFIED",
    check: (p, { charts }) => (charts.has(p.cilium.version) ? unverifiedVersionFinding(p.cilium.version) : []),
  },
  {
    code: "KUBERNETES_TOO_OLD",
    check: (p) => {
      const v = p.cluster.kubernetesVersion;
      if (compareVersions(v, KUBERNETES_MINIMUM) < 0) return [{ pointer: "/cluster/kubernetesVersion", message: `Kubernetes ${v} is older than ${KUBERNETES_MINIMUM}, the oldest Cilium supports` }];
      if (compareVersions(v, KUBERNETES_RECOMMENDED_MINIMUM) < 0) {
        return [{ pointer: "/cluster/kubernetesVersion", severity: "warning", message: `Kubernetes ${v} is older than ${KUBERNETES_RECOMMENDED_MINIMUM}, the guide's minimum` }];
      }
      return [];
    },
  },
  {
    code: "PLACEHOLDER_VALUE",
    check: (p) =>
      PLACEHOLDERS.flatMap((ph) => {
        const list = (ph.pointer === "/nodePool/subnetIds" ? p.nodePool.subnetIds : p.nodePool.securityGroupIds) as readonly string[];
        const i = list.indexOf(ph.value);
        return i < 0 ? [] : [{ pointer: `${ph.pointer}/${i}`, message: `${ph.field} still holds init's placeholder ${ph.value}; put ${ph.what} there` }];
      }),
  },
  {
    code: "OS_UNSUPPORTED",
    check: (p) => [...osFindings(p.cluster.osImage, "/cluster/osImage"), ...(p.nodePool.type === "regular" ? osFindings(p.nodePool.os, "/nodePool/os") : [])],
  },
  {
    code: "POD_CIDR_OVERLAP",
    check: (p) => {
      if (p.cilium.mode !== "overlay") return [];
      const others = [
        ...p.cluster.vpcCidrs.map((cidr) => ({ cidr, what: "VPC CIDR" })),
        ...(p.cluster.serviceCidr ? [{ cidr: p.cluster.serviceCidr, what: "Service CIDR" }] : []),
      ];
      const own = p.cilium.podCidrs.flatMap((cidr, i) =>
        p.cilium.podCidrs.slice(0, i).filter((other) => overlaps(cidr, other)).map((other) => ({ pointer: `/cilium/podCidrs/${i}`, message: `${cidr} overlaps Pod CIDR ${other}` })),
      );
      return [...overlapFindings(p.cilium.podCidrs, "/cilium/podCidrs", others), ...own];
    },
  },
  {
    code: "SERVICE_CIDR_OVERLAP",
    check: (p) =>
      p.cluster.serviceCidr
        ? p.cluster.vpcCidrs.filter((v) => overlaps(p.cluster.serviceCidr!, v)).map((v) => ({ pointer: "/cluster/serviceCidr", message: `${p.cluster.serviceCidr} overlaps VPC CIDR ${v}` }))
        : [],
  },
  {
    code: "EGRESS_WITH_ENDPOINT_SLICE",
    check: (p) => (p.features.egressGateway && p.features.endpointSlice ? [{ pointer: "/features/endpointSlice", message: "endpointSlice cannot be on together with egressGateway" }] : []),
  },
  {
    code: "KUBERNETES_UNTESTED",
    check: (p) => {
      const minor = p.cilium.version.split(".").slice(0, 2).join(".");
      const max = CILIUM_TESTED_KUBERNETES_MAX[minor];
      const v = p.cluster.kubernetesVersion;
      return max !== undefined && v !== undefined && compareVersions(v.split(".").slice(0, 2).join("."), max) > 0
        ? [{ pointer: "/cluster/kubernetesVersion", message: `Cilium ${minor} is tested on Kubernetes up to ${max}; ${v} is outside its range: use Cilium 1.19 (cilium.version)` }]
        : [];
    },
  },
  {
    code: "UNKNOWN_HELM_VALUE",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, problem }) => {
        if (problem.kind !== "unknown") return [];
        const hint = problem.suggestion ? `; did you mean \`${problem.suggestion}\`?` : "";
        return [{ pointer: extraPointer(path), atKey: true, message: `${path.join(".")} is not a value of the Cilium ${p.cilium.version} chart${hint}`, suggestion: problem.suggestion }];
      }),
  },
  {
    code: "DOTTED_HELM_KEY",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, problem }) => {
        if (problem.kind !== "dotted") return [];
        const key = path[problem.index];
        const nested = key.split(".").reduceRight<string>((inner, part) => `{"${part}": ${inner}}`, "…");
        return [
          {
            pointer: extraPointer(path.slice(0, problem.index + 1)),
            atKey: true,
            message: `"${key}" is one key with dots in it; Helm would read it as a key of that name and ignore it. Nest it: ${nested}`,
            suggestion: [...path.slice(0, problem.index), ...key.split(".")].join("."),
          },
        ];
      }),
  },
  {
    code: "HELM_VALUE_TYPE",
    check: (p, { charts }) =>
      extraValueProblems(p, charts).flatMap(({ path, value, problem }) =>
        problem.kind === "type"
          ? [{ pointer: extraPointer(path), message: `${problem.path} must be ${problem.expected.join(" or ")} in the Cilium ${p.cilium.version} chart, got ${JSON.stringify(value)}` }]
          : [],
      ),
  },
], (p) => p).concat(SELF_MANAGED_PROFILE_RULES);
