// IP addresses and CIDR ranges, as Go's net/netip parses them.
import { isIP, isIPv4 } from 'node:net';

export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}

/** `a.b.c.d/nn` or `v6/nnn`, the prefix length in range. Zones are not allowed in a prefix. */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) return false;
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits) || addr.includes('%')) return false;
  if (isIPv4(addr)) return Number(bits) <= 32;
  return isIP(addr) === 6 && Number(bits) <= 128;
}

/** Istio's ValidateIPSubnet: a CIDR range when it has a `/`, else an address. */
export function checkIpOrCidr(text: string): string | undefined {
  if (text.includes('/')) return isCidr(text) ? undefined : `${JSON.stringify(text)} is not a valid CIDR block`;
  return isIpAddress(text) ? undefined : `${JSON.stringify(text)} is not a valid IP address`;
}

export function checkIpAddress(text: string): string | undefined {
  return isIpAddress(text) ? undefined : `${JSON.stringify(text)} is not a valid IP address`;
}
