import prelude from "./uninstall.sh.hbs?raw";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { fill, uninstallBody } from "../plan/bash.js";
import { sh, shellWord } from "../text/shell.js";
import { DAEMONSET_EXISTS, file, headerLines, type Emitter } from "./output.js";

/** uninstall.sh: the guide's rollback to TKE's own CNI, from the undos of the install plan. */
export const emitUninstallScript: Emitter = (settings) => {
  const u = settings.uninstall;
  const undo = uninstallBody(settings.plan);
  const view = {
    header: headerLines(settings, "Removes what install.sh installed."),
    release: shellWord("dnsLabel", u.release),
    namespace: shellWord("dnsLabel", u.namespace),
    apiserverVIP: shellWord("ipv4", settings.prelude.apiserverVIP),
    daemonsetExists: DAEMONSET_EXISTS,
    nodesSelector: sh(settings.prelude.nodesSelector),
    lastTell: sh(settings.prelude.lastTell),
    leftoversStep: sh(
      `If a node is not rebuilt, as root on the node: rm -f ${u.nodeLeftovers.join(" ")}; then give the CNI configurations Cilium renamed their names back: ${u.nodeCniRestore}`,
    ),
    body: undo.body,
    tells: undo.tells.map(sh),
    // the line that finds the bundle folder, once when an undo reads a bundle file
    here: undo.needsBundleFiles ? [""] : [],
  };
  // filled as install.sh is (only {{name}} and {{#each}}), without Handlebars' runtime
  return [file(BUNDLE_FILES.uninstall, fill(prelude, view), 0o755)];
};
