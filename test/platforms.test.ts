import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { FilledProfile } from "../src/profile.js";
import { allProfilePaths, renderFile, ROOT } from "./helpers.js";
import { validateProfile } from "../src/validate.js";
import { parseProfileText } from "../src/parse.js";

/** The documented keys of kubeadm's v1beta4 init configuration (test/fixtures/README.md says where from). */
const KUBEADM_KEYS = JSON.parse(readFileSync(join(ROOT, "test/fixtures/kubeadm/v1beta4-example-keys.json"), "utf8")) as { apiVersion: string } & Record<string, string[]>;

const filled = (path: string): FilledProfile => {
  const parsed = parseProfileText(readFileSync(join(ROOT, path), "utf8"), path);
  return validateProfile(parsed.value, path, parsed.locate).profile as FilledProfile;
};

/** Every key path of a document: maps by key, list items by their own keys under the list's path. */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, prefix));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix === "" ? k : `${prefix}.${k}`;
    return [path, ...keyPaths(v, path)];
  });
}

const kubeadmProfiles = allProfilePaths().filter((p) => filled(p).platform === "kubeadm");

it("has kubeadm profiles to check (the preset and a golden case)", () => {
  expect(kubeadmProfiles).toEqual(expect.arrayContaining(["presets/kubeadm.json"]));
  expect(kubeadmProfiles.length).toBeGreaterThanOrEqual(2);
});

describe.each(kubeadmProfiles)("kubeadm-config.yaml of %s", (path) => {
  const p = filled(path);
  const s = p.selfManaged!;
  const result = renderFile(path);
  const text = result.files.find((f) => f.path === "kubeadm-config.yaml")?.content ?? "";
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);

  it("holds an InitConfiguration and a ClusterConfiguration of kubeadm.k8s.io/v1beta4, with documented keys only", () => {
    expect(docs.map((d) => d.kind)).toEqual(["InitConfiguration", "ClusterConfiguration"]);
    for (const d of docs) {
      expect(d.apiVersion).toBe(KUBEADM_KEYS.apiVersion);
      const known = new Set(KUBEADM_KEYS[d.kind as string]);
      expect(keyPaths(d).filter((k) => !known.has(k)), `${String(d.kind)}: keys the reference does not document`).toEqual([]);
    }
  });

  it("gives kubeadm the subnets Cilium's values use, and skips kube-proxy with its replacement", () => {
    const [init, cluster] = docs as [{ skipPhases?: string[]; localAPIEndpoint: { advertiseAddress: string; bindPort: number } }, { networking: { podSubnet: string; serviceSubnet: string }; controlPlaneEndpoint: string }];
    expect(cluster.networking.podSubnet).toBe(s.podCidrs.join(","));
    expect(cluster.networking.serviceSubnet).toBe(s.serviceCidr);
    expect(cluster.controlPlaneEndpoint).toBe(`${s.apiServer.host}:${s.apiServer.port}`);
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: s.apiServer.host, bindPort: s.apiServer.port });
    expect(init.skipPhases ?? []).toEqual(s.kubeProxyReplacement && s.kubeProxy !== "keep" ? ["addon/kube-proxy"] : []);
  });
});
