import type { ChartCatalog, ChartImage } from "../knowledge/chart.js";
import { GUIDE_IMAGE_ORDER, TKE_MIRROR_RULES } from "../knowledge/images.js";
import type { FilledProfile } from "../profile.js";

/** The chart's images in the guide's order, then any the guide does not list, in chart order. */
export function orderedImages(version: string, charts: ChartCatalog): ChartImage[] {
  const rank = (path: string) => {
    const i = GUIDE_IMAGE_ORDER.indexOf(path);
    return i === -1 ? GUIDE_IMAGE_ORDER.length : i;
  };
  return charts
    .images(version)
    .map((image, i) => ({ image, i }))
    .sort((a, b) => rank(a.image.path) - rank(b.image.path) || a.i - b.i)
    .map((x) => x.image);
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
