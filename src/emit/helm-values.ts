import { commentedValuesToYaml } from "../text/yaml.js";
import { file, headerLines, type Emitter } from "./output.js";

/** One values file per Settings.helm entry, in the order install.sh passes them to helm, and the pre-flight's. */
export const emitHelmValues: Emitter = (settings) =>
  [...settings.helm, settings.preflight].map((values) =>
    file(
      values.file,
      commentedValuesToYaml(
        headerLines(settings, values.title + "."),
        values.entries.map((e) => ({ path: e.path, value: e.value, comment: e.why })),
      ),
    ),
  );
