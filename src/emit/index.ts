import type { Settings } from "../settings.js";
import { emitCapabilities } from "./capabilities.js";
import { emitDelivery } from "./delivery.js";
import { emitGitops } from "./gitops.js";
import { emitHelmValues } from "./helm-values.js";
import { emitImageList } from "./images.js";
import { emitInstallScript } from "./install-script.js";
import type { Emitter, OutputFile } from "./output.js";
import { emitUninstallScript } from "./uninstall-script.js";

export type { OutputFile } from "./output.js";

const EMITTERS: readonly Emitter[] = [emitDelivery, emitHelmValues, emitImageList, emitInstallScript, emitUninstallScript, emitGitops, emitCapabilities];

/** Settings → every file of the bundle, sorted by path. */
export function emitBundle(settings: Settings): OutputFile[] {
  return EMITTERS.flatMap((emit) => emit(settings)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
