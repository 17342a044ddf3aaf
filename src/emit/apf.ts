import { APF_MATCHING_PRECEDENCE, APF_NAME, APF_QUEUING, APF_RESOURCE_RULES, apfTableText } from "../knowledge/apf.js";
import { CILIUM_NAMESPACE } from "../knowledge/tke.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { manifestsToYaml } from "../text/yaml.js";
import { file, headerLines, type Emitter } from "./output.js";

const API_VERSION = "flowcontrol.apiserver.k8s.io/v1";

/** FlowSchema + PriorityLevelConfiguration that give cilium-agent's list calls their own, bounded share. */
export const emitApf: Emitter = (settings) => {
  const apf = settings.apf;
  if (apf === null) return [];
  const flowSchema = {
    apiVersion: API_VERSION,
    kind: "FlowSchema",
    metadata: { name: APF_NAME },
    spec: {
      distinguisherMethod: { type: "ByUser" },
      matchingPrecedence: APF_MATCHING_PRECEDENCE,
      priorityLevelConfiguration: { name: APF_NAME },
      rules: [
        {
          resourceRules: APF_RESOURCE_RULES.map((rule) => ({
            apiGroups: [...rule.apiGroups],
            clusterScope: true,
            namespaces: ["*"],
            resources: [...rule.resources],
            verbs: ["list"],
          })),
          subjects: [{ kind: "ServiceAccount", serviceAccount: { name: "cilium", namespace: CILIUM_NAMESPACE } }],
        },
      ],
    },
  };
  const priorityLevel = {
    apiVersion: API_VERSION,
    kind: "PriorityLevelConfiguration",
    metadata: { name: APF_NAME },
    spec: {
      limited: {
        nominalConcurrencyShares: apf.shares,
        borrowingLimitPercent: 0,
        lendablePercent: 0,
        limitResponse: { queuing: { ...APF_QUEUING }, type: "Queue" },
      },
      type: "Limited",
    },
  };
  const sized = apf.maxNodes === null ? "cluster size unknown (cluster.maxNodes unset)" : `up to ${apf.maxNodes} nodes`;
  const comments = new Map([["1:spec.limited.nominalConcurrencyShares", `${sized}; shares by size: ${apfTableText()}`]]);
  const header = headerLines(settings, "API Priority and Fairness for cilium-agent, so a fleet of agents cannot starve the apiserver.");
  return [file(BUNDLE_FILES.apf, manifestsToYaml(header, [flowSchema, priorityLevel], comments))];
};
