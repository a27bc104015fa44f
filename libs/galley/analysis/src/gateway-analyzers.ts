// Gateways: selectors that select no workload, ports those workloads do not
// serve, credentials that do not exist, servers on the same workloads that
// cannot be merged, and certificates served by several gateways.
import { hostsOverlap, type Gateway, type Server, type ServerTLSSettings } from '@sextant/config-model';
import type { Analyzer } from './analyzer';
import { fullName } from './context';
import type { LocatedResource } from './input';
import { selects, selectorString } from './registry-index';

export const gatewayWorkloadAnalyzer: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  description: 'Checks that a Gateway selects at least one workload and that the selected workloads serve each server port',
  inputs: ['Gateway', 'workloads'],
  codes: ['IST0101', 'IST0104'],
  analyze(ctx) {
    for (const located of ctx.of('Gateway')) {
      const gw = located.resource;
      const selector = gw.spec.selector ?? {};
      const selected = ctx.registry.selected(selector);
      if (!selected.length) {
        ctx.report('IST0101', located, `Referenced selector not found: ${JSON.stringify(selectorString(selector))}`, 'spec.selector');
        continue;
      }
      if (selected.some((w) => w.ports === undefined)) continue;
      const served = new Set(selected.flatMap((w) => (w.ports ?? []).map((p) => p.port)));
      (gw.spec.servers ?? []).forEach((server, i) => {
        const port = server.port?.number;
        if (port === undefined || served.has(port)) return;
        ctx.report('IST0104', located, `No workload selected by ${selectorString(selector) || '(all workloads)'} serves port ${port} (they serve ${[...served].sort((a, b) => a - b).join(', ') || 'no ports'})`, `spec.servers[${i}].port.number`);
      });
    }
  },
};

const credentialsOf = (tls: ServerTLSSettings | undefined): { name: string; path: string }[] => {
  if (!tls) return [];
  const out: { name: string; path: string }[] = [];
  if (tls.credentialName) out.push({ name: tls.credentialName, path: 'tls.credentialName' });
  (tls.credentialNames ?? []).forEach((name, i) => out.push({ name, path: `tls.credentialNames[${i}]` }));
  return out;
};

export const gatewaySecretAnalyzer: Analyzer = {
  name: 'gateway.SecretAnalyzer',
  description: 'Checks that the secrets a Gateway names in credentialName exist in the namespace of the gateway workload',
  inputs: ['Gateway', 'secrets'],
  optionalInputs: ['workloads'],
  codes: ['IST0101'],
  analyze(ctx) {
    for (const located of ctx.of('Gateway')) {
      const gw = located.resource;
      // Istio reads the secret from the namespace of the gateway's workload, not of the Gateway resource.
      const workloadNs = ctx.registry.selected(gw.spec.selector ?? {})[0]?.namespace;
      const ns = workloadNs ?? gw.metadata.namespace ?? '';
      (gw.spec.servers ?? []).forEach((server, i) => {
        for (const c of credentialsOf(server.tls)) {
          if (!ctx.hasSecret(ns, c.name)) ctx.report('IST0101', located, `Referenced credentialName not found: ${JSON.stringify(c.name)} (looked in namespace ${ns})`, `spec.servers[${i}].${c.path}`);
        }
      });
    }
  },
};

type Family = 'http' | 'https' | 'tls' | 'tcp';

function family(protocol: string | undefined): Family {
  switch ((protocol ?? '').toUpperCase()) {
    case 'HTTP':
    case 'HTTP2':
    case 'GRPC':
    case 'GRPC-WEB':
      return 'http';
    case 'HTTPS':
      return 'https';
    case 'TLS':
      return 'tls';
    default:
      return 'tcp';
  }
}

/** Why two servers on one port of one workload cannot both work, or undefined when they merge. */
function conflict(a: Server, b: Server): string | undefined {
  const fa = family(a.port?.protocol);
  const fb = family(b.port?.protocol);
  if (fa !== fb) return `protocols ${a.port?.protocol} and ${b.port?.protocol} cannot share a port, so one server is dropped`;
  if (fa === 'http') return undefined; // plain HTTP servers merge; their routes are combined per host
  if (fa === 'tcp') return 'a port carries one TCP proxy, so one server is dropped';
  const overlap = (a.hosts ?? []).some((h) => (b.hosts ?? []).some((o) => hostsOverlap(stripNs(h), stripNs(o))));
  return overlap ? 'both terminate or pass through TLS for overlapping hosts, so only one server is used for them' : undefined;
}

const stripNs = (h: string) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h);

export const conflictingGatewayAnalyzer: Analyzer = {
  name: 'gateway.ConflictingGatewayAnalyzer',
  description: 'Checks that Gateways with the same selector do not claim the same port in ways that cannot be merged',
  inputs: ['Gateway'],
  codes: ['IST0145'],
  analyze(ctx) {
    const servers = new Map<string, { located: LocatedResource<Gateway>; server: Server; index: number }[]>();
    for (const located of ctx.of('Gateway')) {
      (located.resource.spec.servers ?? []).forEach((server, index) => {
        const key = `${selectorString(located.resource.spec.selector)}~${server.port?.number}`;
        servers.set(key, [...(servers.get(key) ?? []), { located, server, index }]);
      });
    }
    for (const [key, list] of servers) {
      const [selector, port] = key.split('~');
      for (const s of list) {
        const reasons = new Map<string, string>();
        for (const o of list) {
          if (o.located === s.located) continue;
          const why = conflict(s.server, o.server);
          if (why && !reasons.has(fullName(o.located.resource))) reasons.set(fullName(o.located.resource), why);
        }
        if (!reasons.size) continue;
        const names = [...reasons.keys()].sort();
        ctx.report('IST0145', s.located, `Conflict with gateways ${names.join(', ')} (workload selector ${selector || '(all)'}, port ${port}, hosts ${(s.server.hosts ?? []).join(',')}): ${reasons.get(names[0]!)}`, `spec.servers[${s.index}]`);
      }
    }
  },
};

function sameCertificate(a: ServerTLSSettings, b: ServerTLSSettings): boolean {
  if (a.credentialName || b.credentialName) return !!a.credentialName && a.credentialName === b.credentialName;
  return !!a.serverCertificate && a.serverCertificate === b.serverCertificate && !!a.privateKey && a.privateKey === b.privateKey;
}

export const gatewayCertificateAnalyzer: Analyzer = {
  name: 'gateway.CertificateAnalyzer',
  description: 'Warns when Gateways on the same workloads serve the same certificate',
  inputs: ['Gateway'],
  codes: ['IST0138'],
  analyze(ctx) {
    const gateways = ctx.of('Gateway');
    for (const located of gateways) {
      const gw = located.resource;
      const others = gateways.filter((o) => o !== located && selects(gw.spec.selector, o.resource.spec.selector ?? {}));
      const dup = new Set<string>();
      for (const o of others) {
        for (const s of gw.spec.servers ?? []) {
          for (const t of o.resource.spec.servers ?? []) {
            if (s.tls && t.tls && sameCertificate(s.tls, t.tls)) dup.add(fullName(o.resource));
          }
        }
      }
      if (dup.size) ctx.report('IST0138', located, `Gateways ${[fullName(gw), ...[...dup].sort()].join(', ')} serve the same certificate; clients that reuse HTTP/2 connections across their hosts may get 404s`);
    }
  },
};
