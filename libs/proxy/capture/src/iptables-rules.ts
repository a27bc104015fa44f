// The traffic-capture rules for a workload's network namespace, like Istio's
// init container: inbound TCP goes to the proxy's inbound port, outbound TCP
// to its outbound port; the proxy's own traffic (by uid/gid) is exempt so it
// does not loop. Pure: builds iptables-restore input; applying is separate.

export interface CaptureOptions {
  /** uid the proxy runs as; its traffic is not captured. Istio uses 1337. */
  proxyUid: number;
  proxyGid: number;
  /** Where captured inbound traffic goes (15006). */
  inboundPort: number;
  /** Where captured outbound traffic goes (15001). */
  outboundPort: number;
  /** Inbound ports to capture: '*' for all, or a list. */
  inboundPorts: '*' | number[];
  /** Never captured inbound (the proxy's own admin/health/metrics ports, ssh). */
  excludeInboundPorts: number[];
  /** Outbound destination ports left alone. */
  excludeOutboundPorts: number[];
  /** Outbound destination CIDRs left alone. */
  excludeOutboundCidrs: string[];
  /** Outbound destinations captured: '*' or CIDRs. */
  includeOutboundCidrs: '*' | string[];
}

export const DEFAULT_CAPTURE: CaptureOptions = {
  proxyUid: 1337,
  proxyGid: 1337,
  inboundPort: 15006,
  outboundPort: 15001,
  inboundPorts: '*',
  excludeInboundPorts: [15000, 15001, 15006, 15021, 15090, 22],
  excludeOutboundPorts: [],
  excludeOutboundCidrs: [],
  includeOutboundCidrs: '*',
};

export const CHAINS = {
  inbound: 'SEXTANT_INBOUND',
  inRedirect: 'SEXTANT_IN_REDIRECT',
  output: 'SEXTANT_OUTPUT',
  redirect: 'SEXTANT_REDIRECT',
} as const;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class CaptureOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureOptionsError';
  }
}

export function checkCaptureOptions(o: CaptureOptions): void {
  const port = (p: number, what: string) => {
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new CaptureOptionsError(`${what}: ${p} is not a port (1-65535)`);
  };
  port(o.inboundPort, 'inboundPort');
  port(o.outboundPort, 'outboundPort');
  if (o.inboundPorts !== '*') o.inboundPorts.forEach((p) => port(p, 'inboundPorts'));
  o.excludeInboundPorts.forEach((p) => port(p, 'excludeInboundPorts'));
  o.excludeOutboundPorts.forEach((p) => port(p, 'excludeOutboundPorts'));
  for (const [what, list] of [['excludeOutboundCidrs', o.excludeOutboundCidrs], ['includeOutboundCidrs', o.includeOutboundCidrs === '*' ? [] : o.includeOutboundCidrs]] as const) {
    for (const c of list) {
      const m = CIDR.exec(c);
      if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 32) throw new CaptureOptionsError(`${what}: ${JSON.stringify(c)} is not an IPv4 CIDR like 10.0.0.0/8`);
    }
  }
  if (!Number.isInteger(o.proxyUid) || o.proxyUid < 0) throw new CaptureOptionsError(`proxyUid: ${o.proxyUid} is not a uid`);
  if (!Number.isInteger(o.proxyGid) || o.proxyGid < 0) throw new CaptureOptionsError(`proxyGid: ${o.proxyGid} is not a gid`);
}

/** iptables-restore input for the nat table (use with --noflush). */
export function buildCaptureRules(options: Partial<CaptureOptions> = {}): string {
  const o: CaptureOptions = { ...DEFAULT_CAPTURE, ...options };
  checkCaptureOptions(o);
  const { inbound, inRedirect, output, redirect } = CHAINS;
  const lines = ['*nat', `:${inbound} - [0:0]`, `:${inRedirect} - [0:0]`, `:${output} - [0:0]`, `:${redirect} - [0:0]`];
  lines.push(`-A ${redirect} -p tcp -j REDIRECT --to-ports ${o.outboundPort}`);
  lines.push(`-A ${inRedirect} -p tcp -j REDIRECT --to-ports ${o.inboundPort}`);

  // Inbound: everything arriving from outside, except excluded ports.
  lines.push(`-A PREROUTING -p tcp -j ${inbound}`);
  for (const p of o.excludeInboundPorts) lines.push(`-A ${inbound} -p tcp --dport ${p} -j RETURN`);
  if (o.inboundPorts === '*') lines.push(`-A ${inbound} -p tcp -j ${inRedirect}`);
  else for (const p of o.inboundPorts) lines.push(`-A ${inbound} -p tcp --dport ${p} -j ${inRedirect}`);

  // Outbound: what the app sends. The proxy's own traffic returns untouched.
  lines.push(`-A OUTPUT -p tcp -j ${output}`);
  // Traffic the proxy hands to the app on loopback (source 127.0.0.6, as Istio's inbound passthrough).
  lines.push(`-A ${output} -o lo -s 127.0.0.6/32 -j RETURN`);
  // The app calling its own service address through loopback goes inbound.
  lines.push(`-A ${output} -o lo ! -d 127.0.0.1/32 -m owner --uid-owner ${o.proxyUid} -j ${inRedirect}`);
  lines.push(`-A ${output} -o lo -m owner ! --uid-owner ${o.proxyUid} -j RETURN`);
  lines.push(`-A ${output} -m owner --uid-owner ${o.proxyUid} -j RETURN`);
  lines.push(`-A ${output} -m owner --gid-owner ${o.proxyGid} -j RETURN`);
  lines.push(`-A ${output} -d 127.0.0.1/32 -j RETURN`);
  for (const p of o.excludeOutboundPorts) lines.push(`-A ${output} -p tcp --dport ${p} -j RETURN`);
  for (const c of o.excludeOutboundCidrs) lines.push(`-A ${output} -d ${c} -j RETURN`);
  if (o.includeOutboundCidrs === '*') lines.push(`-A ${output} -j ${redirect}`);
  else for (const c of o.includeOutboundCidrs) lines.push(`-A ${output} -d ${c} -j ${redirect}`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** Commands that remove everything buildCaptureRules added. */
export function cleanupCommands(): string[][] {
  const { inbound, inRedirect, output, redirect } = CHAINS;
  return [
    ['-t', 'nat', '-D', 'PREROUTING', '-p', 'tcp', '-j', inbound],
    ['-t', 'nat', '-D', 'OUTPUT', '-p', 'tcp', '-j', output],
    ...[inbound, output, inRedirect, redirect].flatMap((c) => [
      ['-t', 'nat', '-F', c],
      ['-t', 'nat', '-X', c],
    ]),
  ];
}
