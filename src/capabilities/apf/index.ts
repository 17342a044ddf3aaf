import removeApf from "./remove.sh.hbs?raw";
import {
  APF_API_VERSION,
  APF_DISTINGUISHER,
  APF_LIMITS,
  APF_MATCHING_PRECEDENCE,
  APF_NAME,
  APF_QUEUING,
  APF_RESOURCE_RULES,
  APF_SUBJECT,
  APF_VERBS,
  apfShares,
  apfTableText,
} from "../../knowledge/apf.js";
import { BUNDLE_FILES } from "../../knowledge/bundle.js";
import { CILIUM_NAMESPACE } from "../../knowledge/tke.js";
import { file, phasedMetadata } from "../../emit/output.js";
import { addonLabels } from "../../knowledge/bundle.js";
import { manifestsToYaml, yamlHeader } from "../../text/yaml.js";
import { defineCapability } from "../capability.js";
import { memo } from "../../memo.js";

/** features.apf: a FlowSchema and PriorityLevelConfiguration that give cilium-agent's list calls their own, bounded share. */
export const apf = defineCapability({
  id: "apf",
  kind: "add-on",
  summary: "API Priority and Fairness for cilium-agent, sized by cluster.maxNodes",
  fields: ["/features/apf"],
  resolve: (p) => (p.features.apf ? { shares: apfShares(p.cluster.maxNodes), maxNodes: p.cluster.maxNodes ?? null, name: APF_NAME, file: BUNDLE_FILES.apf } : null),
  leftovers: [
    { resource: "flowschemas.flowcontrol.apiserver.k8s.io", namespace: null, crd: null },
    { resource: "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io", namespace: null, crd: null },
  ],
  // the objects depend on the slice and the delivery phase's annotations only: written once for each (a fleet has a few sizes)
  files: (s, { header, afterChart }) => [file(s.file, yamlHeader(header(APF_PURPOSE)) + apfObjects(s, afterChart))],
  delivery: (s) => ({ manifests: [{ file: s.file, phase: "after-chart", what: "API Priority and Fairness for cilium-agent" }] }),
  plan: (s) => [
    {
      kind: "apply",
      id: "apf/objects",
      phase: "after-chart",
      title: "Apply API Priority and Fairness for Cilium",
      file: s.file,
      serverSide: false,
      established: [],
      undo: { kind: "commands", phase: "after-chart-removal", title: "Delete Cilium's API Priority and Fairness objects", script: { template: removeApf, words: { name: s.name } }, needsBundleFiles: false },
    },
  ],
});

const APF_PURPOSE = "API Priority and Fairness for cilium-agent, so a fleet of agents cannot starve the apiserver.";

interface ApfSlice {
  shares: number;
  maxNodes: number | null;
  name: string;
  file: string;
}

/** The FlowSchema and PriorityLevelConfiguration below the file's header, written once per slice and annotations. */
function apfObjects(s: ApfSlice, afterChart: Readonly<Record<string, string>>): string {
  return written(JSON.stringify([s, afterChart]), () => writeApfObjects(s, afterChart));
}

const written = memo<string>(100);

function writeApfObjects(s: ApfSlice, afterChart: Readonly<Record<string, string>>): string {
  const flowSchema = {
    apiVersion: APF_API_VERSION,
    kind: "FlowSchema",
    metadata: phasedMetadata({ name: APF_NAME, labels: addonLabels("apf") }, afterChart),
    spec: {
      distinguisherMethod: { type: APF_DISTINGUISHER },
      matchingPrecedence: APF_MATCHING_PRECEDENCE,
      priorityLevelConfiguration: { name: APF_NAME },
      rules: [
        {
          resourceRules: APF_RESOURCE_RULES.map((rule) => ({
            apiGroups: [...rule.apiGroups],
            clusterScope: true,
            namespaces: ["*"],
            resources: [...rule.resources],
            verbs: [...APF_VERBS],
          })),
          subjects: [{ kind: APF_SUBJECT.kind, serviceAccount: { name: APF_SUBJECT.name, namespace: CILIUM_NAMESPACE } }],
        },
      ],
    },
  };
  const priorityLevel = {
    apiVersion: APF_API_VERSION,
    kind: "PriorityLevelConfiguration",
    metadata: phasedMetadata({ name: APF_NAME, labels: addonLabels("apf") }, afterChart),
    spec: {
      limited: {
        nominalConcurrencyShares: s.shares,
        borrowingLimitPercent: APF_LIMITS.borrowingLimitPercent,
        lendablePercent: APF_LIMITS.lendablePercent,
        limitResponse: { queuing: { ...APF_QUEUING }, type: APF_LIMITS.limitResponse },
      },
      type: APF_LIMITS.type,
    },
  };
  const sized = s.maxNodes === null ? "cluster size unknown (cluster.maxNodes unset)" : `up to ${s.maxNodes} nodes`;
  const comments = new Map([["1:spec.limited.nominalConcurrencyShares", `${sized}; shares by size: ${apfTableText()}`]]);
  return manifestsToYaml([], [flowSchema, priorityLevel], comments);
}
