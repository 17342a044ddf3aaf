import type { ChartCatalog, ChartImage } from "../knowledge/chart.js";
import { GUIDE_IMAGE_ORDER, TKE_MIRROR_RULES } from "../knowledge/images.js";
import type { FilledProfile } from "../profile.js";

/**
 * The chart's images in the guide's order, then any the guide does not list, in chart order. Worked out once
 * per catalogue and version (a fleet's profiles share a few versions); the list is read, never changed.
 */
export function orderedImages(version: string, charts: ChartCatalog): readonly ChartImage[] {
  let byVersion = ordered.get(charts);
  if (byVersion === undefined) ordered.set(charts, (byVersion = new Map()));
  let images = byVersion.get(version);
  if (images === undefined) byVersion.set(version, (images = orderImages(charts.images(version))));
  return images;
}

const ordered = new WeakMap<ChartCatalog, Map<string, readonly ChartImage[]>>();

function orderImages(images: readonly ChartImage[]): readonly ChartImage[] {
  const rank = (path: string) => {
    const i = GUIDE_IMAGE_ORDER.indexOf(path);
    return i === -1 ? GUIDE_IMAGE_ORDER.length : i;
  };
  // Array.prototype.sort is stable: the images the guide does not list keep the chart's order
  return Object.freeze([...images].sort((a, b) => rank(a.path) - rank(b.path)));
}

/** Where an image's repository moves to, and why; null when it stays upstream. */
export function mirroredRepository(p: FilledProfile, repository: string): { repository: string; why: string } | null {
  if (p.images.mirror === "custom") {
    return { repository: `${p.images.registry}/${repository}`, why: "copied into the private registry (see images.txt)" };
  }
  if (p.images.mirror === "none") return null;
  const rule = TKE_MIRROR_RULES.find((r) => repository.startsWith(r.from));
  return rule ? { repository: rule.to + repository.slice(rule.from.length), why: rule.why } : null;
}
