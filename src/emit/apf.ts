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
  apfTableText,
} from "../knowledge/apf.js";
import { CILIUM_NAMESPACE } from "../knowledge/tke.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { manifestsToYaml } from "../text/yaml.js";
import { file, headerLines, type Emitter, phasedMetadata } from "./output.js";

/** FlowSchema + PriorityLevelConfiguration that give cilium-agent's list calls their own, bounded share. */
export const emitApf: Emitter = (settings) => {
  const apf = settings.apf;
  if (apf === null) return [];
  const flowSchema = {
    apiVersion: APF_API_VERSION,
    kind: "FlowSchema",
    metadata: phasedMetadata({ name: APF_NAME }, settings.afterChartAnnotations),
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
    metadata: phasedMetadata({ name: APF_NAME }, settings.afterChartAnnotations),
    spec: {
      limited: {
        nominalConcurrencyShares: apf.shares,
        borrowingLimitPercent: APF_LIMITS.borrowingLimitPercent,
        lendablePercent: APF_LIMITS.lendablePercent,
        limitResponse: { queuing: { ...APF_QUEUING }, type: APF_LIMITS.limitResponse },
      },
      type: APF_LIMITS.type,
    },
  };
  const sized = apf.maxNodes === null ? "cluster size unknown (cluster.maxNodes unset)" : `up to ${apf.maxNodes} nodes`;
  const comments = new Map([["1:spec.limited.nominalConcurrencyShares", `${sized}; shares by size: ${apfTableText()}`]]);
  const header = headerLines(settings, "API Priority and Fairness for cilium-agent, so a fleet of agents cannot starve the apiserver.");
  return [file(BUNDLE_FILES.apf, manifestsToYaml(header, [flowSchema, priorityLevel], comments))];
};
