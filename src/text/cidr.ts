import ipaddr from "ipaddr.js";

/** A peer's range is read unvalidated: only a well-formed one is compared. */
export function validCidr(cidr: string): boolean {
  try {
    ipaddr.IPv4.parseCIDR(cidr);
    return true;
  } catch {
    return false;
  }
}

/** Two CIDRs overlap when either contains the other's network address. */
export function overlaps(a: string, b: string): boolean {
  const [na, la] = ipaddr.IPv4.parseCIDR(a);
  const [nb, lb] = ipaddr.IPv4.parseCIDR(b);
  return na.match(nb, lb) || nb.match(na, la);
}

/** Whether an IPv4 address lies in a CIDR. */
export const inRange = (ip: string, cidr: string): boolean => ipaddr.IPv4.parse(ip).match(ipaddr.IPv4.parseCIDR(cidr));
