import { VALUES_FILES } from "../knowledge/bundle.js";
import { PREFLIGHT } from "../knowledge/lifecycle.js";
import type { ValueEntry, ValuesFile } from "../settings.js";
import { compareVersions } from "../text/version.js";
import { finalValueAt } from "./helm.js";

const entry = (path: readonly string[], value: unknown, why: string): ValueEntry => ({ path: [...path], value, why, origin: "bundle", overrides: [] });

/**
 * The pre-flight release's values (Cilium's upgrade guide, as a Helm release of its own): its switches, its
 * own values of the main release (images from the mirror, tolerations), the apiserver address. Nothing else
 * of the main release's values: whatever they turn on would be rendered by both releases, and Helm refuses to
 * install an object another release owns.
 */
export function derivePreflightValues(version: string, helm: readonly ValuesFile[]): ValuesFile {
  const own = helm.flatMap((f) => f.entries.filter((e) => e.path[0] === PREFLIGHT.own));
  const whole = own.find((e) => e.path.length === 1);
  const switches = PREFLIGHT.switches.filter((s) => !(whole && s.path[0] === PREFLIGHT.own)).map((s) => entry(s.path, s.value, s.why));
  const envoy = compareVersions(version, PREFLIGHT.envoyOffBefore) < 0 ? [entry(["envoy", "enabled"], false, `Cilium ${version}'s chart renders the release cilium's cilium-envoy-config in a pre-flight with Envoy`)] : [];
  const carried = PREFLIGHT.carried.flatMap((path): ValueEntry[] => {
    const value = finalValueAt(helm, path);
    return value === undefined ? [] : [entry(path, value, "as the release cilium has it")];
  });
  const mine = own.map((e) => (e === whole ? { ...e, value: { ...(e.value as object), enabled: true } } : e));
  return { file: VALUES_FILES.preflight, title: "Cilium's pre-flight check before a minor upgrade: a release of its own that owns nothing of the release cilium", entries: [...switches, ...envoy, ...carried, ...mine] };
}
