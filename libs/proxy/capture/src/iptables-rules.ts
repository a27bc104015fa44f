// The traffic-capture rules for a workload's network namespace, like Istio's
// init container: inbound TCP goes to the proxy's inbound port, outbound TCP
// to its outbound port; the proxy's own traffic (by uid/gid) is exempt so it
// does not loop. Pure: builds iptables-restore input; applying is separate.

export interface CaptureOptions {
  /** uid the proxy runs as; its traffic is not captured (Istio: 1337). */
  proxyUid?: number | undefined;
  /** gid the proxy runs as; its traffic is not captured either. */
  proxyGid?: number | undefined;
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

/** Istio's chain names, so what users know about istio-init applies here. */
export const CHAINS = {
  inbound: 'ISTIO_INBOUND',
  inRedirect: 'ISTIO_IN_REDIRECT',
  output: 'ISTIO_OUTPUT',
  redirect: 'ISTIO_REDIRECT',
} as const;

/** Where the proxy's inbound side connects to the app from (Istio's InboundPassthroughCluster source). */
export const INBOUND_PASSTHROUGH_SOURCE = '127.0.0.6';

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
  if (o.proxyUid === undefined && o.proxyGid === undefined) throw new CaptureOptionsError('proxyUid/proxyGid: give at least one, or the proxy\'s own traffic would be captured in a loop');
  if (o.proxyUid !== undefined && (!Number.isInteger(o.proxyUid) || o.proxyUid < 0)) throw new CaptureOptionsError(`proxyUid: ${o.proxyUid} is not a uid`);
  if (o.proxyGid !== undefined && (!Number.isInteger(o.proxyGid) || o.proxyGid < 0)) throw new CaptureOptionsError(`proxyGid: ${o.proxyGid} is not a gid`);
}

/**
 * Parses a port list as the CLI takes it ("9080,8080", "*" for all, "" for
 * none), naming the flag in the error.
 */
export function parsePortList(text: string, flag: string, allowAll = false): '*' | number[] {
  const t = text.trim();
  if (t === '*') {
    if (allowAll) return '*';
    throw new CaptureOptionsError(`${flag}: "*" is not allowed here; list ports like 8080,9090`);
  }
  if (t === '') return [];
  return t.split(',').map((raw) => {
    const p = raw.trim();
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new CaptureOptionsError(`${flag}: ${JSON.stringify(p)} is not a port (1-65535) in ${JSON.stringify(text)}`);
    return Number(p);
  });
}

/** A CIDR list ("10.0.0.0/8,192.168.0.0/16"; "*" for all when allowed). */
export function parseCidrList(text: string, flag: string, allowAll = false): '*' | string[] {
  const t = text.trim();
  if (t === '*' && allowAll) return '*';
  if (t === '') return [];
  const list = t.split(',').map((c) => c.trim());
  for (const c of list) {
    const m = CIDR.exec(c);
    if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 32) throw new CaptureOptionsError(`${flag}: ${JSON.stringify(c)} is not an IPv4 CIDR like 10.0.0.0/8`);
  }
  return list;
}

/**
 * iptables-restore input for the nat table (use with --noflush): the same
 * chains and order as istio-iptables, so `iptables -t nat -S` reads the
 * same. One difference: Istio sends the proxy's own loopback traffic to a
 * non-loopback address (an app calling its own service) back inbound; this
 * proxy does not bind its inbound upstream connections to 127.0.0.6 yet, so
 * that rule would send the inbound hop to the app back into 15006 forever.
 * Such self calls go straight to the app instead.
 */
export function buildCaptureRules(options: Partial<CaptureOptions> = {}): string {
  const o: CaptureOptions = { ...DEFAULT_CAPTURE, ...options };
  checkCaptureOptions(o);
  const { inbound, inRedirect, output, redirect } = CHAINS;
  const owners = [...(o.proxyUid !== undefined ? [`--uid-owner ${o.proxyUid}`] : []), ...(o.proxyGid !== undefined ? [`--gid-owner ${o.proxyGid}`] : [])];
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
  lines.push(`-A ${output} -s ${INBOUND_PASSTHROUGH_SOURCE}/32 -o lo -j RETURN`);
  // The app talking to itself on loopback is not the mesh's business.
  for (const owner of owners) lines.push(`-A ${output} -o lo -m owner ! ${owner} -j RETURN`);
  for (const owner of owners) lines.push(`-A ${output} -m owner ${owner} -j RETURN`);
  lines.push(`-A ${output} -d 127.0.0.1/32 -j RETURN`);
  for (const p of o.excludeOutboundPorts) lines.push(`-A ${output} -p tcp --dport ${p} -j RETURN`);
  for (const c of o.excludeOutboundCidrs) lines.push(`-A ${output} -d ${c} -j RETURN`);
  if (o.includeOutboundCidrs === '*') lines.push(`-A ${output} -j ${redirect}`);
  else for (const c of o.includeOutboundCidrs) lines.push(`-A ${output} -d ${c} -j ${redirect}`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** The jumps from the built-in chains, as `iptables -D` arguments. */
export function jumpRules(): string[][] {
  return [
    ['-t', 'nat', '-D', 'PREROUTING', '-p', 'tcp', '-j', CHAINS.inbound],
    ['-t', 'nat', '-D', 'OUTPUT', '-p', 'tcp', '-j', CHAINS.output],
  ];
}

/** Flush and delete the chains, as `iptables` arguments (after the jumps are gone). */
export function chainCleanup(): string[][] {
  const { inbound, inRedirect, output, redirect } = CHAINS;
  return [inbound, output, inRedirect, redirect].flatMap((c) => [
    ['-t', 'nat', '-F', c],
    ['-t', 'nat', '-X', c],
  ]);
}
