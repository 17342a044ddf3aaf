import { isShellValue } from "./text/shell.js";

/** Checks of chart data, whether it comes from a chart tarball (chart add) or from .tke-cilium/charts/X.json (a file of the repository). */

/** A released chart's version as chart add stores it: X.Y.Z, no leading zeros. */
export const CHART_VERSION = /^(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})$/;

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Why an image of chart data cannot be used, or null: its repository, tag and digest end up in images.txt's
 * copy loop and in Helm values, so each must have the form of an image reference (no space, no newline).
 */
export function imageProblem(image: unknown): string | null {
  if (!isMap(image)) return "an image that is not an object";
  const { path, repository, tag, digest, useDigest } = image;
  if (typeof path !== "string" || !/^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64}){0,15}$/.test(path)) return `an image at the value path ${JSON.stringify(String(path).slice(0, 80))}`;
  if (typeof repository !== "string" || repository.includes(":") && !/^[^/]*:[0-9]+\//.test(repository) || !isShellValue("image", repository)) return `the image repository ${JSON.stringify(String(repository).slice(0, 80))} of ${path}, not an image reference`;
  if (typeof tag !== "string" || (tag !== "" && !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag))) return `the image tag ${JSON.stringify(String(tag).slice(0, 80))} of ${path}`;
  if (typeof digest !== "string" || (digest !== "" && !/^sha256:[a-f0-9]{64}$/.test(digest))) return `the image digest ${JSON.stringify(String(digest).slice(0, 80))} of ${path}`;
  if (typeof useDigest !== "boolean") return `useDigest of ${path} is not a boolean`;
  return null;
}

