// DestinationRules: hosts that match no service, subsets that select no
// workload, TLS origination without server verification, client TLS modes
// that contradict the servers' PeerAuthentication, and rules that merge badly.
import type { ClientTLSSettings, DestinationRule } from '@sextant/config-model';
import type { Analyzer } from './analyzer';
import { fullName, type AnalysisContext } from './context';
import { drHost, namespaceOfHost } from './destination-rule-helpers';
import type { LocatedResource, WorkloadInfo } from './input';
import { effectivePeerMode, type PeerMode } from './peer-authentication';
import { selectorString, selects } from './registry-index';

export const unknownHostAnalyzer: Analyzer = {
  name: 'destinationrule.UnknownHostAnalyzer',
  description: 'Checks that the host of a DestinationRule matches a service of the registry or a ServiceEntry host',
  inputs: ['DestinationRule', 'ServiceEntry', 'services'],
  codes: ['IST0174'],
  analyze(ctx) {
    for (const located of ctx.of('DestinationRule')) {
      const dr = located.resource;
      if (ctx.registry.matching(drHost(ctx, dr)).length) continue;
      ctx.report('IST0174', located, `The host ${JSON.stringify(dr.spec.host)} of the DestinationRule matches no service in the registry nor a ServiceEntry`, 'spec.host');
    }
  },
};

export const subsetWorkloadAnalyzer: Analyzer = {
  name: 'destinationrule.SubsetSelectPodAnalyzer',
  description: 'Checks that the labels of each DestinationRule subset select at least one workload of its host',
  inputs: ['DestinationRule', 'ServiceEntry', 'WorkloadEntry', 'services', 'workloads'],
  codes: ['IST0173'],
  analyze(ctx) {
    for (const located of ctx.of('DestinationRule')) {
      const dr = located.resource;
      const entries = ctx.registry.matching(drHost(ctx, dr));
      const instances = entries.map((e) => ctx.registry.instancesOf(e));
      if (!entries.length || instances.some((i) => i === undefined)) continue;
      const all = instances.flat() as WorkloadInfo[];
      (dr.spec.subsets ?? []).forEach((subset, i) => {
        const labels = subset.labels ?? {};
        if (!Object.keys(labels).length || all.some((w) => selects(labels, w.labels))) return;
        const have = [...new Set(all.map((w) => selectorString(w.labels)))].slice(0, 3);
        const hint = all.length ? ` (its ${all.length} workload${all.length === 1 ? '' : 's'}: ${have.join('; ')}${all.length > 3 ? '; ...' : ''})` : ' (it has no workloads)';
        ctx.report('IST0173', located, `Subset ${JSON.stringify(subset.name)} (${selectorString(labels)}) selects no workload of ${dr.spec.host}${hint}; requests to it fail with 503`, `spec.subsets[${i}].labels`);
      });
    }
  },
};

/** Every TLS setting of a DestinationRule with its path and port (undefined: every port). */
function tlsSettings(dr: DestinationRule): { tls: ClientTLSSettings; path: string; port?: number; subset?: string }[] {
  const out: { tls: ClientTLSSettings; path: string; port?: number; subset?: string }[] = [];
  const collect = (policy: DestinationRule['spec']['trafficPolicy'], base: string, subset?: string) => {
    if (!policy) return;
    if (policy.tls) out.push({ tls: policy.tls, path: `${base}.tls`, subset });
    (policy.portLevelSettings ?? []).forEach((p, i) => {
      if (p.tls) out.push({ tls: p.tls, path: `${base}.portLevelSettings[${i}].tls`, port: p.port?.number, subset });
    });
  };
  collect(dr.spec.trafficPolicy, 'spec.trafficPolicy');
  (dr.spec.subsets ?? []).forEach((s, i) => collect(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`, s.name));
  return out;
}

export const caCertificateAnalyzer: Analyzer = {
  name: 'destinationrule.CaCertificateAnalyzer',
  description: 'Warns when a DestinationRule originates TLS (SIMPLE or MUTUAL) without CA certificates to verify the server',
  inputs: ['DestinationRule'],
  codes: ['IST0128', 'IST0129'],
  analyze(ctx) {
    for (const located of ctx.of('DestinationRule')) {
      const dr = located.resource;
      for (const s of tlsSettings(dr)) {
        const mode = s.tls.mode;
        if (mode !== 'SIMPLE' && mode !== 'MUTUAL') continue;
        if (s.tls.caCertificates || s.tls.credentialName || s.tls.insecureSkipVerify === true) continue;
        const where = `${s.subset ? `subset ${JSON.stringify(s.subset)} of ` : ''}${dr.spec.host}${s.port !== undefined ? ` port ${s.port}` : ''}`;
        const text = `DestinationRule ${fullName(dr)} originates TLS (${mode}) to ${where} without caCertificates, so the server's certificate is not verified`;
        ctx.report(s.port === undefined ? 'IST0128' : 'IST0129', located, text, `${s.path}.mode`);
      }
    }
  },
};

function conflictText(client: string, server: PeerMode): string | undefined {
  if (client === 'ISTIO_MUTUAL' && server.mode === 'DISABLE') return 'sends Istio mutual TLS';
  if (client === 'DISABLE' && server.mode === 'STRICT') return 'sends plaintext';
  return undefined;
}

export const mtlsConflictAnalyzer: Analyzer = {
  name: 'destinationrule.MTLSPolicyConflictAnalyzer',
  description: "Checks that a DestinationRule's client TLS mode (ISTIO_MUTUAL or DISABLE) fits the PeerAuthentication mode of the workloads it sends to",
  inputs: ['DestinationRule', 'PeerAuthentication', 'ServiceEntry', 'WorkloadEntry'],
  optionalInputs: ['services', 'workloads'],
  codes: ['IST0113'],
  analyze(ctx) {
    for (const located of ctx.of('DestinationRule')) {
      const dr = located.resource;
      const host = drHost(ctx, dr);
      for (const s of tlsSettings(dr)) {
        const client = s.tls.mode;
        if (client !== 'ISTIO_MUTUAL' && client !== 'DISABLE') continue;
        const server = serverModes(ctx, host, s.port, s.subset ? (dr.spec.subsets ?? []).find((x) => x.name === s.subset)?.labels : undefined);
        const hit = server.map((m) => ({ m, what: conflictText(client, m) })).find((x) => x.what);
        if (!hit) continue;
        const by = hit.m.policy ? `PeerAuthentication ${fullName(hit.m.policy.resource)}` : 'the mesh default';
        const port = s.port !== undefined ? ` port ${s.port}` : '';
        ctx.report('IST0113', located, `DestinationRule ${fullName(dr)} ${hit.what} (${client}) to ${dr.spec.host}${port}, but ${by} sets mTLS ${hit.m.mode} for ${hit.m.scope}`, `${s.path}.mode`);
      }
    }
  },
};

/** The PeerAuthentication modes of the workloads behind `host` on `port`; by namespace when the workloads are unknown. */
function serverModes(ctx: AnalysisContext, host: string, port: number | undefined, subsetLabels: Record<string, string> | undefined): PeerMode[] {
  if (host.startsWith('*')) return [];
  const entry = ctx.registry.matching(host)[0];
  const instances = entry ? ctx.registry.instancesOf(entry) : undefined;
  if (entry && instances && instances.length) {
    const chosen = subsetLabels ? instances.filter((w) => selects(subsetLabels, w.labels)) : instances;
    return chosen.map((w) => effectivePeerMode(ctx, w.namespace, w.labels, port, `workload ${w.namespace}/${w.name}`));
  }
  const ns = entry?.source.type === 'service' ? entry.namespace : namespaceOfHost(host, ctx.options.domainSuffix);
  if (ns === undefined || (entry && entry.source.type === 'serviceentry')) return [];
  return [effectivePeerMode(ctx, ns, undefined, port, `namespace ${ns}`)];
}

export const mergedDestinationRuleAnalyzer: Analyzer = {
  name: 'destinationrule.MergeAnalyzer',
  description: 'Warns when DestinationRules for the same host in one namespace are merged and part of one is ignored',
  inputs: ['DestinationRule'],
  codes: ['SXT1004'],
  analyze(ctx) {
    const groups = new Map<string, LocatedResource<DestinationRule>[]>();
    for (const located of ctx.of('DestinationRule')) {
      const dr = located.resource;
      if (dr.spec.workloadSelector?.matchLabels && Object.keys(dr.spec.workloadSelector.matchLabels).length) continue;
      const key = `${dr.metadata.namespace ?? ''} ${drHost(ctx, dr)}`;
      groups.set(key, [...(groups.get(key) ?? []), located]);
    }
    for (const [key, list] of groups) {
      if (list.length < 2) continue;
      const host = key.slice(key.indexOf(' ') + 1);
      const names = list.map((l) => fullName(l.resource));
      const withPolicy = list.filter((l) => l.resource.spec.trafficPolicy);
      if (withPolicy.length > 1) {
        for (const l of withPolicy.slice(1)) {
          ctx.report('SXT1004', l, `DestinationRules ${names.join(', ')} all apply to ${host} and are merged; only the oldest one's trafficPolicy (${fullName(withPolicy[0]!.resource)} in input order) applies, this one is ignored`, 'spec.trafficPolicy');
        }
      }
      const seen = new Map<string, string>();
      for (const l of list) {
        (l.resource.spec.subsets ?? []).forEach((s, i) => {
          const first = seen.get(s.name);
          if (first === undefined) seen.set(s.name, fullName(l.resource));
          else if (first !== fullName(l.resource)) ctx.report('SXT1004', l, `Subset ${JSON.stringify(s.name)} is also defined by DestinationRule ${first} for ${host}; when the rules are merged the first definition wins and this one is ignored`, `spec.subsets[${i}]`);
        });
      }
    }
  },
};
