import render from "./uninstall.sh.hbs?template";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { sh, shellWord } from "../text/shell.js";
import { file, headerLines, type Emitter } from "./output.js";

/** uninstall.sh: the guide's rollback to TKE's own CNI. Every profile value is shell-quoted here. */
export const emitUninstallScript: Emitter = (settings) => {
  const u = settings.uninstall;
  const view = {
    header: headerLines(settings, "Removes what install.sh installed."),
    release: shellWord("dnsLabel", u.release),
    namespace: shellWord("dnsLabel", u.namespace),
    apiserverVIP: shellWord("ipv4", settings.install.apiserverVIP),
    nodesSelector: sh(u.nodesSelector),
    cniConfigMap: u.cniConfigMap === null ? false : { name: sh(u.cniConfigMap.name), namespace: sh(u.cniConfigMap.namespace) },
    apf: u.apf === null ? false : { name: sh(u.apf.name) },
    daemonSets: u.restoreDaemonSets.map((name) => ({ name: sh(name) })),
    selectorPath: sh(`{.spec.template.spec.nodeSelector.${u.nowhereKey}}`),
    removePatch: sh(JSON.stringify([{ op: "remove", path: `/spec/template/spec/nodeSelector/${u.nowhereKey}` }])),
    leftoversStep: sh(`If a node is not rebuilt, remove by hand: ${u.nodeLeftovers.join(" ")}`),
    eniIpWebhook:
      u.eniIpWebhook === null ? false : sh(`The ${u.eniIpWebhook} webhook install.sh deleted comes back when TKE re-applies its add-on manifests.`),
    karpenterNodePool:
      u.karpenterNodePool === null
        ? false
        : sh(`The Karpenter node pool (${u.karpenterNodePool}) stays: delete it (kubectl delete -f ${u.karpenterNodePool}) to have Karpenter replace its nodes, or keep it and rebuild them.`),
  };
  const extra = {
    nodeLocalDns: u.nodeLocalDns === null ? false : { policyFile: sh(u.nodeLocalDns.policyFile), file: sh(u.nodeLocalDns.file), policyCrd: sh(u.nodeLocalDns.policyCrd) },
    clsLogConfig: u.clsLogConfig === null ? false : { file: sh(u.clsLogConfig.file), crd: sh(u.clsLogConfig.crd) },
    notes: u.notes.map(sh),
    needsHere: u.nodeLocalDns !== null || u.clsLogConfig !== null,
  };
  return [file(BUNDLE_FILES.uninstall, render({ ...view, ...extra }), 0o755)];
};
