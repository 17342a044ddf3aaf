import render from "./install.sh.hbs?template";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { NOWHERE_NODE_SELECTOR } from "../knowledge/tke.js";
import { checkedShellValue, sh, shellWord } from "../text/shell.js";
import { file, headerLines, type Emitter } from "./output.js";

/** install.sh: preflight checks, then the guide's install steps. Every profile value is shell-quoted here. */
export const emitInstallScript: Emitter = (settings) => {
  const s = settings.install;
  const patch = JSON.stringify({ spec: { template: { spec: { nodeSelector: NOWHERE_NODE_SELECTOR } } } });
  const selectorPath = sh(`{.spec.template.spec.nodeSelector.${Object.keys(NOWHERE_NODE_SELECTOR)[0]}}`);
  const chart = s.chartIsLocalFile ? `"$HERE"/${shellWord("chartRef", s.chart)}` : shellWord("chartRef", s.chart);
  const view = {
    header: headerLines(settings, "Installs the bundle in this folder."),
    versionText: checkedShellValue("version", s.version),
    version: shellWord("version", s.version),
    release: shellWord("dnsLabel", s.release),
    namespace: shellWord("dnsLabel", s.namespace),
    chart,
    chartIsLocalFile: s.chartIsLocalFile,
    bundleId: sh(s.bundleId),
    apiserverVIP: shellWord("ipv4", s.apiserverVIP),
    network: {
      agent: sh(s.network.agent),
      agentText: s.network.agent,
      otherAgent: sh(s.network.otherAgent),
      otherAgentText: s.network.otherAgent,
      nameText: s.network.name,
      otherNameText: s.network.otherName,
    },
    tkeManagedCiliumMark: s.tkeManagedCiliumMark,
    requiredCrds: s.requiredCrds.map((crd) => ({ name: sh(crd), text: crd })),
    preflight: { release: sh(s.preflight.release), daemonSet: s.preflight.daemonSet, values: s.preflight.values.map(sh) },
    eniAgent:
      s.eniAgent === null
        ? false
        : { daemonSet: sh(s.eniAgent.daemonSet), name: s.eniAgent.daemonSet, minText: s.eniAgent.minVersion, min: sh(s.eniAgent.minVersion), recommended: sh(s.eniAgent.recommended) },
    existingNodesSelector: sh(s.existingNodesSelector),
    daemonSets: s.disableDaemonSets.map((d) => ({ name: sh(d.name), nameText: d.name, optional: d.optional, patch: sh(patch), selectorPath })),
    cniConfigFile: s.cniConfigFile === null ? false : sh(s.cniConfigFile),
    eniIpWebhook: s.deleteEniIpWebhook === null ? false : sh(s.deleteEniIpWebhook),
    masqCidrs:
      s.nonMasqueradeFromCluster === null
        ? false
        : {
            configMap: sh(s.nonMasqueradeFromCluster.configMap),
            configMapText: s.nonMasqueradeFromCluster.configMap,
            fallback: s.nonMasqueradeFromCluster.fallback.join(","),
          },
    helmRepo: s.helmRepo === null ? false : { name: sh(s.helmRepo.name), url: shellWord("url", s.helmRepo.url), urlText: s.helmRepo.url },
    valuesFiles: s.valuesFiles.map((f) => shellWord("bundlePath", f)),
    apfFile: s.apfFile === null ? false : shellWord("bundlePath", s.apfFile),
    nodePoolFile: s.nodePoolFile === null ? false : shellWord("bundlePath", s.nodePoolFile),
    nextSteps: s.nextSteps.map(sh),
    gatewayApiCrdsFile: s.gatewayApiCrdsFile === null ? false : sh(s.gatewayApiCrdsFile),
    ipsecSecret: s.ipsecSecret === null ? false : sh(s.ipsecSecret),
    clsLogConfig: s.clsLogConfig === null ? false : { file: sh(s.clsLogConfig.file), fileText: s.clsLogConfig.file, crd: sh(s.clsLogConfig.crd), crdText: s.clsLogConfig.crd },
    nodeLocalDns:
      s.nodeLocalDns === null
        ? false
        : { file: sh(s.nodeLocalDns.file), policyFile: sh(s.nodeLocalDns.policyFile), policyFileText: s.nodeLocalDns.policyFile, placeholder: s.nodeLocalDns.placeholder, policyCrd: sh(s.nodeLocalDns.policyCrd) },
    mesh:
      s.mesh === null
        ? false
        : { scriptText: s.mesh.script, caSecret: sh(s.mesh.caSecret), caSecretText: s.mesh.caSecret, caFrom: s.mesh.caFrom !== null, caFromText: s.mesh.caFrom === null ? "" : checkedShellValue("clusterId", s.mesh.caFrom) },
  };
  return [file(BUNDLE_FILES.install, render(view), 0o755)];
};
