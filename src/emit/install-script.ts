import prelude from "./install.sh.hbs?raw";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { fill, installBody } from "../plan/bash.js";
import { checkedShellValue, sh, shellWord } from "../text/shell.js";
import { DAEMONSET_EXISTS, file, headerLines, type Emitter } from "./output.js";

/** install.sh: the fixed prelude (usage, helpers, the tool check), then the plan's steps written as bash. */
export const emitInstallScript: Emitter = (settings) => {
  const s = settings.install;
  const view = {
    header: headerLines(settings, "Installs the bundle in this folder."),
    versionText: checkedShellValue("version", s.version),
    version: shellWord("version", s.version),
    release: shellWord("dnsLabel", s.release),
    namespace: shellWord("dnsLabel", s.namespace),
    chart: s.chartIsLocalFile ? `"$HERE"/${shellWord("chartRef", s.chart)}` : shellWord("chartRef", s.chart),
    bundleId: sh(s.bundleId),
    apiserverVIP: shellWord("ipv4", settings.prelude.apiserverVIP),
    daemonsetExists: DAEMONSET_EXISTS,
    body: installBody(settings.plan),
  };
  // the prelude has only {{name}} and one {{#each}}: filled as the plan's fragments are, without Handlebars' runtime
  return [file(BUNDLE_FILES.install, fill(prelude, view), 0o755)];
};
