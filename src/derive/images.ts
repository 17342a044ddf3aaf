import type { ChartCatalog } from "../knowledge/chart.js";
import { OPERATOR_IMAGE } from "../knowledge/images.js";
import type { FilledProfile } from "../profile.js";
import type { ImageCopy } from "../settings.js";
import { mirroredRepository, orderedImages } from "./mirror.js";

/**
 * Custom registries: every image the chart version can pull (and node-cache, with NodeLocal DNSCache), as source and target references, so the copy
 * (skopeo copy -a SOURCE TARGET) can be scripted. Null for the other mirrors, which need no copy.
 */
export function deriveImageList(p: FilledProfile, charts: ChartCatalog, contributed: readonly ImageCopy[]): ImageCopy[] | null {
  if (p.images.mirror !== "custom") return null;
  const copies = new Map<string, ImageCopy>();
  for (const image of orderedImages(p.cilium.version, charts)) {
    // Helm renders the operator as <repository>-generic: that is the image to copy.
    const rendered = image.path === OPERATOR_IMAGE.path ? image.repository + OPERATOR_IMAGE.renderedSuffix : image.repository;
    const source = `${rendered}:${image.tag}`;
    // preflight reuses the agent and envoy images: copy each image once
    if (!copies.has(source)) copies.set(source, { source, target: `${mirroredRepository(p, rendered)!.repository}:${image.tag}` });
  }
  // the capabilities' own images (node-cache, with NodeLocal DNSCache)
  for (const copy of contributed) copies.set(copy.source, copy);
  return [...copies.values()];
}
