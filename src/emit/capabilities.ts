import { capabilityFiles } from "../capabilities/index.js";
import { headerLines, type Emitter } from "./output.js";

/** The files of every capability the profile asks for (src/capabilities/<id>/). */
export const emitCapabilities: Emitter = (settings) => capabilityFiles(settings.capabilities, { header: (purpose) => headerLines(settings, purpose), afterChart: settings.afterChartAnnotations });
