import { BUNDLE_FILES } from "../knowledge/bundle.js";
import { checkedShellValue } from "../text/shell.js";
import { file, headerLines, type Emitter } from "./output.js";

/** Custom registries: images.txt, one "SOURCE TARGET" pair a line, for scripting the copy. */
export const emitImageList: Emitter = (settings) => {
  if (settings.images === null) return [];
  const header = headerLines(settings, `Images of the Cilium ${settings.ciliumVersion} chart to copy into the private registry: SOURCE TARGET per line.`);
  const usage = [
    "Copy them all (multi-arch, keeping digests):",
    `  grep -v '^#' images.txt | while read -r src dst; do skopeo copy -a "docker://$src" "docker://$dst"; done`,
  ];
  const width = Math.max(...settings.images.map((i) => i.source.length));
  const lines = [...header, ...usage].map((l) => `# ${l}`);
  // each line is read by the copy loop above: two words, each an image reference
  lines.push("", ...settings.images.map((i) => `${checkedShellValue("image", i.source).padEnd(width)} ${checkedShellValue("image", i.target)}`));
  return [file(BUNDLE_FILES.images, lines.join("\n") + "\n")];
};
