import { compareReleases, DEFAULT_CILIUM_VERSION, GUIDE_VERIFIED, inRelease } from "../knowledge/releases.js";
import { editDistance } from "../text/nearest.js";
import type { Finding } from "./finding.js";

const POINTER = "/cilium/version";
const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");
const ADD = "add it with `tke-cilium chart add cilium-VERSION.tgz`";

/**
 * A cilium.version no chart data is known for, judged by release order: newer than the newest patch of a
 * known minor, or the next minor, is a release to add; a version one or two keystrokes from a known one
 * (1.91.5) is a typo; anything older is unsupported.
 */
export function unknownVersionFinding(version: string, known: readonly string[]): Finding[] {
  if (known.includes(version)) return [];
  const add = ADD.replace("VERSION", version);
  const sameMinor = known.filter((k) => minorOf(k) === minorOf(version));
  const newest = known[known.length - 1];
  if (sameMinor.length > 0 && compareReleases(version, sameMinor[sameMinor.length - 1]) > 0) {
    const latest = sameMinor[sameMinor.length - 1];
    return [{ pointer: POINTER, message: `${version} is newer than the newest known ${latest}; ${add}, or use ${latest}`, suggestion: latest }];
  }
  if (compareReleases(version, known[0]) < 0) {
    return [{ pointer: POINTER, message: `Cilium ${version} is older than ${known[0]}, the oldest release tke-cilium supports (the guide starts at 1.18); use ${DEFAULT_CILIUM_VERSION}`, suggestion: DEFAULT_CILIUM_VERSION }];
  }
  const [major, minor] = version.split(".").map(Number);
  const [newestMajor, newestMinor] = newest.split(".").map(Number);
  const nextMinor = major === newestMajor && minor === newestMinor + 1;
  if (!nextMinor) {
    const typo = known.filter((k) => editDistance(k, version) <= 2).sort((a, b) => editDistance(a, version) - editDistance(b, version) || compareReleases(b, a))[0];
    if (typo !== undefined) {
      return [{ pointer: POINTER, message: `tke-cilium knows no Cilium ${version}; did you mean ${typo}?`, suggestion: typo }];
    }
  }
  if (compareReleases(version, newest) > 0) {
    return [{ pointer: POINTER, message: `${version} is newer than the newest known release ${newest}; ${add}, or use ${newest}`, suggestion: newest }];
  }
  return [
    {
      pointer: POINTER,
      message: `tke-cilium has no chart data for Cilium ${version} (it knows ${known[0]} to ${newest}); use ${DEFAULT_CILIUM_VERSION}, the release the guide verified`,
      suggestion: DEFAULT_CILIUM_VERSION,
    },
  ];
}

/** A known release of a minor line the guide has not covered yet: a warning, not an error. */
export function unverifiedVersionFinding(version: string): Finding[] {
  if (GUIDE_VERIFIED.some((row) => inRelease(row, version))) return [];
  return [
    {
      pointer: POINTER,
      message: `the TKE guide has not verified Cilium ${minorOf(version)} yet (it covers ${GUIDE_VERIFIED.map((r) => minorOf(r.since!)).join(" and ")}); try it on a test cluster first, or use ${DEFAULT_CILIUM_VERSION}`,
      suggestion: DEFAULT_CILIUM_VERSION,
    },
  ];
}
