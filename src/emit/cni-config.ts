import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { manifestsToYaml, literalBlock } from "../text/yaml.js";
import { file, headerLines, type Emitter } from "./output.js";

/** Native mode: the ConfigMap with the chained conflist that cni.configMap points at. */
export const emitCniConfig: Emitter = (settings) => {
  const cni = settings.cniConfig;
  if (cni === null) return [];
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: cni.name, namespace: cni.namespace },
    data: { [cni.key]: literalBlock(JSON.stringify(cni.conflist, null, 2)) },
  };
  const header = headerLines(settings, "VPC-CNI's tke-route-eni chained with cilium-cni (generic-veth); apply before installing Cilium.");
  return [file(BUNDLE_FILES.cniConfig, manifestsToYaml(header, [configMap]))];
};
