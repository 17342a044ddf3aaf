import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { file, headerLines, type Emitter } from "./output.js";

/** bundle.json: the delivery metadata (schema/bundle.schema.json); JSON has no comments, so the header is a field. */
export const emitDelivery: Emitter = (settings) => {
  const d = settings.delivery;
  const document = {
    comment: headerLines(settings, "What GitOps needs to deliver this bundle: the chart and its version, the values files in Helm's order, when to apply what.").join(" "),
    format: 1,
    cluster: settings.name,
    chart: d.chart,
    release: d.release,
    valuesFiles: d.valuesFiles,
    manifests: d.manifests,
    terraform: d.terraform,
    scripts: d.scripts,
    gitops: d.gitops,
  };
  return [file(BUNDLE_FILES.delivery, JSON.stringify(document, null, 2) + "\n")];
};
