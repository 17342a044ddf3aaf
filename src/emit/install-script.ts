import render from "./install.sh.hbs?template";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { installBody } from "../plan/bash.js";
import { sh } from "../text/shell.js";
import { file, headerLines, type Emitter } from "./output.js";

/** install.sh: the fixed prelude (usage, helpers, the tool check), then the plan's steps written as bash. */
export const emitInstallScript: Emitter = (settings) => {
  const s = settings.install;
  const view = {
    header: headerLines(settings, "Installs the bundle in this folder."),
    versionText: s.version,
    version: sh(s.version),
    release: sh(s.release),
    namespace: sh(s.namespace),
    chart: s.chartIsLocalFile ? `"$HERE"/${sh(s.chart)}` : sh(s.chart),
    bundleId: sh(s.bundleId),
    apiserverVIP: sh(s.apiserverVIP),
    body: installBody(settings.plan),
  };
  return [file(BUNDLE_FILES.install, render(view), 0o755)];
};
