/**
 * The one way a value reaches a generated script (install.sh, uninstall.sh, clustermesh.sh, images.txt's copy
 * loop, egress-gateway-policy.sh): `shellWord(kind, value)` checks the value against the pattern of what it is,
 * then single-quotes it. The profile's schema and the chart-data reader already refuse what does not fit, so a
 * failed check here is a bug upstream; it throws rather than write a script that could run anything.
 */
export const SHELL_VALUE_PATTERNS = {
  /** A TKE cluster id: cls- and 8 lower-case letters or digits. */
  clusterId: /^cls-[0-9a-z]{8}$/,
  /** A DNS label (RFC 1123): a namespace, a release, a Kubernetes object name without dots. */
  dnsLabel: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
  /** A DNS subdomain (RFC 1123): a CRD name, a host name. */
  dnsName: /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
  /** An image reference: [registry[:port]/]path[:tag][@sha256:digest], lower-case path components. */
  image: /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?(?::[0-9]{1,5})?(?:\/[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?){0,8}(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
  /** An IPv4 or IPv6 CIDR (shape only; the rules check the numbers). */
  cidr: /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}\/[0-9]{1,2}|[0-9a-fA-F:]{2,39}\/[0-9]{1,3})$/,
  /** A file of the bundle, relative to its folder. */
  bundlePath: /^[a-z0-9][a-z0-9._-]{0,99}(?:\/[a-z0-9][a-z0-9._-]{0,99}){0,4}$/,
  /** An IPv4 address. */
  ipv4: /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/,
  /** A Helm chart reference (repo/chart, or oci://registry[:port]/path/chart) or a local .tgz path, as the profile schema allows it. */
  chartRef: /^(?:oci:\/\/[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?\/)?[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/,
  /** A chart repository URL (upstream, an HTTP(S) mirror, an OCI registry), as the profile schema allows cilium.chartRepository. */
  url: /^(?:https?|oci):\/\/[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~-]{1,255}){0,16}\/?$/,
  /** A cilium-config entry as key=value, both DNS-label-like (the datapath guard's expected settings). */
  configEntry: /^[a-z0-9][a-z0-9-]{0,62}=[a-z0-9][a-z0-9-]{0,62}$/,
  /** A release version (X.Y.Z, a pre-release suffix allowed). */
  version: /^v?[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:-[0-9A-Za-z.]{1,40})?$/,
} as const;

export type ShellValueKind = keyof typeof SHELL_VALUE_PATTERNS;

export class UnsafeShellValueError extends Error {}

/** True when `value` is a well-formed `kind`: what may be quoted into a script. */
export function isShellValue(kind: ShellValueKind, value: string): boolean {
  return value.length <= 512 && SHELL_VALUE_PATTERNS[kind].test(value);
}

/** The value, after its pattern check, for a place that quotes it itself (a message inside double quotes). */
export function checkedShellValue(kind: ShellValueKind, value: string): string {
  if (!isShellValue(kind, value)) throw new UnsafeShellValueError(`refusing to write ${JSON.stringify(value.slice(0, 80))} into a script: not a ${kind}`);
  return value;
}

/** A checked value as one shell word, single-quoted. */
export function shellWord(kind: ShellValueKind, value: string): string {
  return sh(checkedShellValue(kind, value));
}

/** One shell word, single-quoted: nothing inside single quotes is special to bash except the quote itself. */
export function sh(word: string | number): string {
  return "'" + String(word).replace(/'/g, `'\\''`) + "'";
}
