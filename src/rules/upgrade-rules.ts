import type { TreeFile } from "../diff.js";
import { finalValueAt } from "../derive/helm.js";
import { BUNDLE_FILES } from "../knowledge/bundle.js";
import type { CheckedSettings } from "../settings.js";
import { compareVersions } from "../text/version.js";
import type { Code } from "./codes.js";
import type { Finding } from "./finding.js";

/**
 * Upgrade safety at review time: a bundle is compared with the one it replaces (in HEAD for check --staged,
 * on disk for render), because in GitOps nothing else stands between the commit and the cluster. A skipped
 * minor release, a downgrade and a datapath change are refused unless the profile's upgrade.allow names them.
 */

/** What a bundle says about the cluster's Cilium: its release and its datapath (the final Helm values). */
export interface BundleFacts {
  version: string;
  routingMode: string | null;
  ipamMode: string | null;
  tunnelProtocol: string | null;
}

/** The changes upgrade.allow can name. */
export type UpgradeChange = "skip-minor" | "downgrade" | "datapath";

export interface UpgradeFinding extends Finding {
  code: Code;
}

const DATAPATH_VALUES = { routingMode: ["routingMode"], ipamMode: ["ipam", "mode"], tunnelProtocol: ["tunnelProtocol"] } as const;

/** The facts of the bundle a profile renders now. */
export function factsOfSettings(s: CheckedSettings): BundleFacts {
  const at = (path: readonly string[]) => {
    const v = finalValueAt(s.helm, path);
    return typeof v === "string" ? v : null;
  };
  return { version: s.ciliumVersion, routingMode: at(DATAPATH_VALUES.routingMode), ipamMode: at(DATAPATH_VALUES.ipamMode), tunnelProtocol: at(DATAPATH_VALUES.tunnelProtocol) };
}

/**
 * The facts of a bundle tke-cilium wrote before (bundle.json and its values files, in Helm's order); null when
 * the folder holds no bundle.json tke-cilium can read (a first render, or no bundle).
 */
export function factsOfTree(tree: ReadonlyMap<string, TreeFile> | null): BundleFacts | null {
  const text = (path: string) => {
    const f = tree?.get(path);
    return f?.kind === "file" ? f.content : null;
  };
  const json = text(BUNDLE_FILES.delivery);
  if (json === null) return null;
  let bundle: { chart?: { version?: unknown }; valuesFiles?: unknown };
  try {
    bundle = JSON.parse(json);
  } catch {
    return null;
  }
  const version = bundle.chart?.version;
  if (typeof version !== "string") return null;
  const facts: BundleFacts = { version, routingMode: null, ipamMode: null, tunnelProtocol: null };
  const files = Array.isArray(bundle.valuesFiles) ? bundle.valuesFiles.filter((f): f is string => typeof f === "string") : [];
  for (const file of files) {
    const values = scalarValues(text(file) ?? "");
    for (const [fact, path] of Object.entries(DATAPATH_VALUES)) {
      const v = values.get(path.join("."));
      if (v !== undefined) facts[fact as keyof typeof DATAPATH_VALUES] = v;
    }
  }
  return facts;
}

/** The dotted paths of the datapath facts, and how deep the deepest is (lines deeper than that are passed over). */
const FACT_PATHS = Object.values(DATAPATH_VALUES).map((path) => path.join("."));
const FACT_DEPTH = Math.max(...Object.values(DATAPATH_VALUES).map((path) => path.length));

/** A character of a key scalarValues reads: [A-Za-z0-9_.-]. */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/**
 * Plain scalars of a values file tke-cilium wrote (two-space indents, "key: value" lines, comments on their own
 * lines), by dotted path: those of the datapath facts only (FACT_PATHS). Lists and block scalars are passed
 * over. A line counts when it is `^( *)([A-Za-z0-9_.-]+):(?: (.*))?$`, read a character at a time, and only when
 * it is shallow enough to be a fact's (a fleet's check reads every bundle's values files; a deeper line or one
 * at odd indentation changes no fact's path).
 */
function scalarValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const stack: string[] = [];
  for (let next = 0; next <= text.length; ) {
    const lineStart = next;
    let end = text.indexOf("\n", lineStart);
    if (end < 0) end = text.length;
    next = end + 1;
    let i = lineStart;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const depth = (i - lineStart) / 2;
    if (!Number.isInteger(depth) || depth >= FACT_DEPTH) continue;
    const keyStart = i;
    while (i < end && isKeyChar(text.charCodeAt(i))) i++;
    if (i === keyStart || i === end || text.charCodeAt(i) !== 58) continue;
    let value: string | undefined;
    if (i + 1 < end) {
      // ": " and the rest of the line, which holds no other line break ("." in the pattern above)
      if (text.charCodeAt(i + 1) !== 32) continue;
      value = text.slice(i + 2, end);
      if (/[\r\u2028\u2029]/.test(value)) continue;
    }
    stack.length = depth;
    stack.push(text.slice(keyStart, i));
    if (value === undefined || value === "" || value.startsWith("|") || value.startsWith(">")) continue;
    const path = stack.join(".");
    if (FACT_PATHS.includes(path)) out.set(path, value.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1"));
  }
  return out;
}

const minorOf = (v: string) => v.split(".").slice(0, 2).map(Number);

/**
 * What is dangerous in going from `before` to `after`, less what upgrade.allow names. `known` lists the
 * releases with chart data, oldest first: the safe path names the newest patch of each minor in between.
 */
export function upgradeFindings(before: BundleFacts, after: BundleFacts, allow: readonly UpgradeChange[], known: readonly string[]): UpgradeFinding[] {
  const findings: UpgradeFinding[] = [];
  const [majorA, minorA] = minorOf(before.version);
  const [majorB, minorB] = minorOf(after.version);
  const downgrade = compareVersions(after.version, before.version) < 0;
  const skipsMinor = !downgrade && majorA === majorB && minorB > minorA + 1;
  // a values file edited by hand (check reports it as drift) says nothing about the datapath: not compared
  const readable = before.routingMode !== null && before.ipamMode !== null;
  const changed = (["routingMode", "ipamMode", "tunnelProtocol"] as const).filter((k) => readable && before[k] !== after[k] && !(k === "tunnelProtocol" && (before.routingMode !== "tunnel" || after.routingMode !== "tunnel")));
  // an allowance this bundle does not need: left over from a change already rolled out, it would let the next one through unseen
  const needed = { downgrade, "skip-minor": skipsMinor, datapath: changed.length > 0 };
  allow.forEach((change, i) => {
    if (!needed[change]) findings.push({ code: "UPGRADE_ALLOW_UNUSED", pointer: `/upgrade/allow/${i}`, message: `"${change}" is allowed, but ${before.version} → ${after.version} needs no such allowance: remove it, so the next ${change === "datapath" ? "datapath change" : change === "downgrade" ? "downgrade" : "skipped minor"} is caught again` });
  });
  if (downgrade && !allow.includes("downgrade")) {
    findings.push({
      code: "UPGRADE_DOWNGRADE",
      pointer: "/cilium/version",
      message: `the bundle in place runs Cilium ${before.version}; ${after.version} is a downgrade. Cilium supports going back only to the release it was upgraded from, with that release's values: revert the commit that upgraded, or roll forward to a fixed ${before.version.split(".").slice(0, 2).join(".")} patch. To do it anyway, add "downgrade" to upgrade.allow`,
    });
  } else if (skipsMinor && !allow.includes("skip-minor")) {
    const between = Array.from({ length: minorB - minorA - 1 }, (_, i) => `${majorA}.${minorA + 1 + i}`);
    const steps = between.map((minor) => known.filter((k) => k.startsWith(`${minor}.`)).at(-1) ?? `${minor}.x`);
    findings.push({
      code: "UPGRADE_SKIPS_MINOR",
      pointer: "/cilium/version",
      message: `${before.version} → ${after.version} skips ${between.join(", ")}: Cilium upgrades one minor release at a time (its pre-flight check and configuration migrations assume it). Upgrade to ${steps.join(", then ")} first, let it roll out, then to ${after.version}. To do it anyway, add "skip-minor" to upgrade.allow`,
      suggestion: steps[0],
    });
  }
  if (changed.length > 0 && !allow.includes("datapath")) {
    const shown = changed.map((k) => `${DATAPATH_VALUES[k].join(".")} ${before[k] ?? "(unset)"} → ${after[k] ?? "(unset)"}`);
    findings.push({
      code: "UPGRADE_DATAPATH_CHANGE",
      pointer: "/cilium/mode",
      message: `the datapath changes (${shown.join(", ")}): every running Pod keeps its old addresses and routes, and cross-node traffic breaks until each node is drained and rebuilt. Move the cluster's nodes to a new node pool (or a new cluster) instead of changing this one in place. To do it anyway, add "datapath" to upgrade.allow`,
    });
  }
  return findings;
}
