// Which DestinationRules apply to traffic from one namespace to one host,
// with Istio's precedence: rules in the client's namespace, then in the
// service's namespace, then in the root namespace, then any other namespace
// that exports them; within a namespace the most specific host wins and
// rules for that same host are merged.
import { hostIsSubsetOf, type ClientTLSSettings, type DestinationRule } from '@sextant/config-model';
import type { AnalysisContext } from './context';
import type { LocatedResource } from './input';
import { exportScope, visibleTo } from './registry-index';

/** The namespace of `name.ns.svc.<suffix>`, when the host has that form. */
export function namespaceOfHost(host: string, domainSuffix: string): string | undefined {
  const suffix = `.svc.${domainSuffix}`;
  if (!host.endsWith(suffix)) return undefined;
  const parts = host.slice(0, -suffix.length).split('.');
  return parts.length === 2 ? parts[1] : undefined;
}

export const drHost = (ctx: AnalysisContext, dr: DestinationRule): string => ctx.fqdn(dr.spec.host, dr.metadata.namespace ?? '');

/** DestinationRules that apply to requests from `clientNs` to `host` (fully qualified), merged from the one namespace that wins. */
export function applicableDestinationRules(ctx: AnalysisContext, host: string, clientNs: string): LocatedResource<DestinationRule>[] {
  const serviceNs = ctx.registry.lookup(host, clientNs)?.namespace ?? namespaceOfHost(host, ctx.options.domainSuffix);
  const candidates = ctx.of('DestinationRule').filter((l) => {
    const dr = l.resource;
    const ns = dr.metadata.namespace ?? '';
    if (dr.spec.workloadSelector?.matchLabels && Object.keys(dr.spec.workloadSelector.matchLabels).length) return false;
    if (ns !== clientNs && !visibleTo(exportScope(dr.spec.exportTo, ns), clientNs)) return false;
    return hostIsSubsetOf(host, drHost(ctx, dr));
  });
  const order = [clientNs, serviceNs, ctx.options.rootNamespace];
  const inNs = (ns: string | undefined) => candidates.filter((l) => (l.resource.metadata.namespace ?? '') === ns);
  let chosen: LocatedResource<DestinationRule>[] = [];
  for (const ns of order) {
    chosen = inNs(ns);
    if (chosen.length) break;
  }
  if (!chosen.length) chosen = candidates;
  if (!chosen.length) return [];
  // Most specific host: an exact host beats wildcards; a longer wildcard beats a shorter one.
  const score = (l: LocatedResource<DestinationRule>) => {
    const h = drHost(ctx, l.resource);
    return h === host ? Number.MAX_SAFE_INTEGER : h.length;
  };
  const best = Math.max(...chosen.map(score));
  const winners = chosen.filter((l) => score(l) === best);
  const ns = winners[0]!.resource.metadata.namespace;
  return winners.filter((l) => l.resource.metadata.namespace === ns);
}

/** Client TLS settings a DestinationRule gives one port: the port-level setting, else the rule-level one. */
export function tlsForPort(dr: DestinationRule, port: number | undefined): ClientTLSSettings | undefined {
  const portLevel = port === undefined ? undefined : dr.spec.trafficPolicy?.portLevelSettings?.find((p) => p.port?.number === port);
  return portLevel?.tls ?? dr.spec.trafficPolicy?.tls;
}
