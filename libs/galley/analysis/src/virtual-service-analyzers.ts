// VirtualService references: destination hosts, ports and subsets, gateways,
// hosts of mesh VirtualServices, conflicting mesh hosts, and gateway routes
// that bypass a mesh VirtualService's subsets.
import { hostsOverlap } from '@sextant/config-model';
import type { Analyzer } from './analyzer';
import { fullName } from './context';
import { applicableDestinationRules } from './destination-rule-helpers';
import { boundToMesh, destinationsOf, gatewayKeysOf, MESH_GATEWAY, parseGatewayRef } from './virtual-service-helpers';
import { exportScope } from './registry-index';

export const destinationHostAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  description: 'Checks that every destination (and mirror) host of a VirtualService is a service of the registry or a ServiceEntry host, with the port it names',
  inputs: ['VirtualService', 'ServiceEntry', 'services'],
  codes: ['IST0101', 'IST0112'],
  analyze(ctx) {
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      const ns = vs.metadata.namespace ?? '';
      const atGateway = gatewayKeysOf(vs).length > 0;
      for (const d of destinationsOf(vs)) {
        const host = d.destination.host;
        const entry = ctx.registry.lookup(ctx.fqdn(host, ns), ns);
        if (!entry) {
          ctx.report('IST0101', located, `Referenced ${d.refType} not found: ${JSON.stringify(host)}`, `${d.path}.host`);
          continue;
        }
        const port = d.destination.port?.number;
        const ports = entry.ports.map((p) => p.port);
        if (port !== undefined) {
          if (ports.length && !ports.includes(port)) {
            ctx.report('IST0101', located, `Referenced host:port not found: ${JSON.stringify(`${host}:${port}`)} (it serves ${ports.join(', ')})`, `${d.path}.port.number`);
          }
        } else if (atGateway && d.refType === 'host' && new Set(ports).size > 1) {
          // In the mesh the port a request arrived on picks the service port; at a gateway nothing does.
          ctx.report('IST0112', located, `Destination ${JSON.stringify(host)} serves several ports (${[...new Set(ports)].join(', ')}); a gateway route must name one in destination.port`, d.path);
        }
      }
    }
  },
};

export const destinationSubsetAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  description: 'Checks that every destination subset of a VirtualService is defined by the DestinationRule that applies to its host',
  inputs: ['VirtualService', 'DestinationRule'],
  codes: ['IST0101'],
  analyze(ctx) {
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      const ns = vs.metadata.namespace ?? '';
      for (const d of destinationsOf(vs)) {
        const subset = d.destination.subset;
        if (!subset) continue;
        const host = ctx.fqdn(d.destination.host, ns);
        const rules = applicableDestinationRules(ctx, host, ns);
        if (rules.some((l) => (l.resource.spec.subsets ?? []).some((s) => s.name === subset))) continue;
        const ref = d.refType === 'host' ? 'host+subset in destinationrule' : 'mirror+subset in destinationrule';
        let text = `Referenced ${ref} not found: ${JSON.stringify(`${d.destination.host}+${subset}`)}`;
        if (rules.length) text += ` (DestinationRule ${rules.map((l) => fullName(l.resource)).join(', ')} applies to it and defines ${listSubsets(rules)})`;
        ctx.report('IST0101', located, text, `${d.path}.subset`);
      }
    }
  },
};

const listSubsets = (rules: { resource: { spec: { subsets?: { name: string }[] } } }[]): string => {
  const names = rules.flatMap((l) => (l.resource.spec.subsets ?? []).map((s) => s.name));
  return names.length ? `subsets ${names.join(', ')}` : 'no subsets';
};

export const gatewayReferenceAnalyzer: Analyzer = {
  name: 'virtualservice.GatewayAnalyzer',
  description: 'Checks that the Gateways a VirtualService names exist and expose at least one of its hosts',
  inputs: ['VirtualService', 'Gateway'],
  codes: ['IST0101', 'IST0132'],
  analyze(ctx) {
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      const ns = vs.metadata.namespace ?? '';
      const check = (name: string, path: string, checkHosts: boolean) => {
        if (name === MESH_GATEWAY) return;
        const ref = parseGatewayRef(name, ns);
        const gw = ctx.find('Gateway', ref.namespace, ref.name);
        if (!gw) {
          ctx.report('IST0101', located, `Referenced gateway not found: ${JSON.stringify(name)}`, path);
          return;
        }
        if (!checkHosts || (vs.spec.hosts ?? []).length === 0) return;
        const gwNs = ref.namespace;
        const exposed = (gw.resource.spec.servers ?? []).flatMap((s) => s.hosts ?? []).flatMap((h) => serverHostFor(h, gwNs, ns));
        const vsHosts = vs.spec.hosts ?? [];
        const found = vsHosts.some((h) => exposed.some((g) => hostsOverlap(g, h) || hostsOverlap(g, ctx.fqdn(h, ns))));
        if (!found) {
          ctx.report('IST0132', located, `None of the hosts ${JSON.stringify(vsHosts)} of VirtualService ${fullName(vs)} is exposed by Gateway ${ref.namespace}/${ref.name}`, path);
        }
      };
      (vs.spec.gateways ?? []).forEach((g, i) => check(g, `spec.gateways[${i}]`, true));
      for (const protocol of ['http', 'tcp', 'tls'] as const) {
        (vs.spec[protocol] ?? []).forEach((rule, i) => {
          (rule.match ?? []).forEach((m, j) => {
            (m.gateways ?? []).forEach((g, k) => {
              if (!(vs.spec.gateways ?? []).includes(g)) check(g, `spec.${protocol}[${i}].match[${j}].gateways[${k}]`, false);
            });
          });
        });
      }
    }
  },
};

/** A Gateway server host as seen from a VirtualService namespace: `ns/host` forms filtered and stripped. */
function serverHostFor(serverHost: string, gatewayNs: string, vsNs: string): string[] {
  const slash = serverHost.indexOf('/');
  if (slash < 0) return [serverHost];
  const scope = serverHost.slice(0, slash);
  const host = serverHost.slice(slash + 1);
  if (scope === '*' || scope === vsNs || (scope === '.' && gatewayNs === vsNs)) return [host];
  return [];
}

export const conflictingMeshHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  description: 'Checks that no two VirtualServices bound to the mesh define the same host for the same namespaces',
  inputs: ['VirtualService'],
  codes: ['IST0109'],
  analyze(ctx) {
    const list = ctx.of('VirtualService');
    const byHost = new Map<string, { located: (typeof list)[number]; hostIndex: number; scope: '*' | Set<string> }[]>();
    for (const located of list) {
      const vs = located.resource;
      if (!boundToMesh(vs)) continue;
      const ns = vs.metadata.namespace ?? '';
      const scope = exportScope(vs.spec.exportTo, ns);
      (vs.spec.hosts ?? []).forEach((h, hostIndex) => {
        const fqdn = ctx.fqdn(h, ns);
        byHost.set(fqdn, [...(byHost.get(fqdn) ?? []), { located, hostIndex, scope }]);
      });
    }
    for (const [host, entries] of byHost) {
      for (const e of entries) {
        const others = entries.filter((o) => o.located !== e.located && scopesMeet(o.scope, e.scope));
        if (!others.length) continue;
        const names = [e, ...others].map((x) => fullName(x.located.resource)).sort();
        ctx.report('IST0109', e.located, `VirtualServices ${names.join(', ')} bound to the mesh all define host ${host}; which one sidecars use is undefined (merge them into one VirtualService)`, `spec.hosts[${e.hostIndex}]`);
      }
    }
  },
};

function scopesMeet(a: '*' | Set<string>, b: '*' | Set<string>): boolean {
  if (a === '*' || b === '*') return true;
  for (const ns of a) if (b.has(ns)) return true;
  return false;
}

export const ingressSubsetAnalyzer: Analyzer = {
  name: 'virtualservice.IngressRouteRulesAnalyzer',
  description: 'Warns when a gateway route sends to a host whose mesh VirtualService splits traffic by subset, which gateway traffic does not follow',
  inputs: ['VirtualService'],
  codes: ['IST0140'],
  analyze(ctx) {
    // Hosts that a mesh VirtualService routes to itself by subset: host -> the VirtualService.
    const splitHosts = new Map<string, string[]>();
    for (const { resource: vs } of ctx.of('VirtualService')) {
      if (!boundToMesh(vs)) continue;
      const ns = vs.metadata.namespace ?? '';
      const own = new Set((vs.spec.hosts ?? []).map((h) => ctx.fqdn(h, ns)));
      for (const d of destinationsOf(vs)) {
        const host = ctx.fqdn(d.destination.host, ns);
        if (d.protocol === 'http' && d.destination.subset && own.has(host)) {
          const names = splitHosts.get(host) ?? [];
          if (!names.includes(fullName(vs))) splitHosts.set(host, [...names, fullName(vs)]);
        }
      }
    }
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      const gateways = gatewayKeysOf(vs);
      if (!gateways.length) continue;
      const ns = vs.metadata.namespace ?? '';
      for (const d of destinationsOf(vs)) {
        if (d.protocol !== 'http' || d.refType !== 'host' || d.destination.subset) continue;
        for (const name of splitHosts.get(ctx.fqdn(d.destination.host, ns)) ?? []) {
          if (name === fullName(vs)) continue;
          ctx.report('IST0140', located, `Requests this gateway route sends to ${JSON.stringify(d.destination.host)} do not follow the subsets of VirtualService ${name} (the mesh VirtualService does not apply at gateway ${gateways.join(', ')})`, `${d.path}.host`);
        }
      }
    }
  },
};

export const meshHostAnalyzer: Analyzer = {
  name: 'virtualservice.HostAnalyzer',
  description: 'Checks that each host of a VirtualService bound to the mesh is a service of the registry or a ServiceEntry host',
  inputs: ['VirtualService', 'ServiceEntry', 'services'],
  codes: ['SXT1003'],
  analyze(ctx) {
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      if (!boundToMesh(vs)) continue;
      const ns = vs.metadata.namespace ?? '';
      (vs.spec.hosts ?? []).forEach((h, i) => {
        if (h.startsWith('*')) return;
        if (ctx.registry.lookup(ctx.fqdn(h, ns), ns)) return;
        ctx.report('SXT1003', located, `Host ${JSON.stringify(h)} matches no service in the registry nor a ServiceEntry, so sidecars have no route for it`, `spec.hosts[${i}]`);
      });
    }
  },
};
