// DestinationRules by host with Istio's precedence: a rule in the client's
// namespace first, then one exported from the service's namespace, then one
// exported from the root namespace. Rules in one namespace for the same host
// merge like Istio's: subsets append (first name wins), the oldest rule's
// traffic policy wins.
import { resolveHost, type DestinationRule, type DestinationRuleSpec, type Subset } from '@sextant/config-model';
import { isVisibleTo, mostSpecificHostMatch } from './hosts';
import { selectorMatches, type Labels } from './labels';
import { sortConfigs } from './config-order';

export interface MergedDestinationRule {
  /** The rule's host (resolved; may be a wildcard). */
  readonly host: string;
  readonly namespace: string;
  readonly spec: DestinationRuleSpec;
  /** `namespace/name` of every rule merged into this one, oldest first. */
  readonly sources: readonly string[];
  readonly exportTo: readonly string[];
  /** workloadSelector.matchLabels when the rule applies to selected clients only. */
  readonly selector?: Labels;
}

function mergeInto(base: MergedDestinationRule, dr: DestinationRule): MergedDestinationRule {
  const spec = dr.spec;
  const names = new Set((base.spec.subsets ?? []).map((s) => s.name));
  const subsets: Subset[] = [...(base.spec.subsets ?? [])];
  for (const s of spec.subsets ?? []) {
    if (!names.has(s.name)) {
      subsets.push(s);
      names.add(s.name);
    }
  }
  const merged: DestinationRuleSpec = { ...base.spec, subsets };
  if (!merged.trafficPolicy && spec.trafficPolicy) merged.trafficPolicy = spec.trafficPolicy;
  return { ...base, spec: merged, sources: [...base.sources, `${dr.metadata.namespace}/${dr.metadata.name}`] };
}

export class DestinationRuleIndex {
  /** namespace -> merged rules of that namespace. */
  private readonly byNamespace = new Map<string, MergedDestinationRule[]>();

  constructor(list: readonly DestinationRule[], domainSuffix: string, private readonly rootNamespace: string) {
    for (const dr of sortConfigs(list)) {
      const ns = dr.metadata.namespace ?? 'default';
      if (!dr.spec?.host) continue;
      const host = resolveHost(dr.spec.host, ns, domainSuffix);
      const selector = dr.spec.workloadSelector?.matchLabels;
      const rules = this.byNamespace.get(ns) ?? [];
      const same = rules.findIndex((r) => r.host === host && labelsEqual(r.selector, selector));
      if (same >= 0) {
        rules[same] = mergeInto(rules[same]!, dr);
      } else {
        rules.push({
          host,
          namespace: ns,
          spec: dr.spec,
          sources: [`${ns}/${dr.metadata.name}`],
          exportTo: dr.spec.exportTo ?? ['*'],
          ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
        });
      }
      this.byNamespace.set(ns, rules);
    }
  }

  /**
   * The rule for `hostname` (a service in `serviceNamespace`) as seen by a
   * client in `clientNamespace` with `clientLabels`.
   */
  lookup(hostname: string, clientNamespace: string, serviceNamespace: string, clientLabels: Labels = {}): MergedDestinationRule | undefined {
    const own = this.byNamespace.get(clientNamespace) ?? [];
    const selected = own.filter((r) => r.selector && selectorMatches(r.selector, clientLabels));
    const found =
      mostSpecificHostMatch(hostname, selected, (r) => r.host) ??
      mostSpecificHostMatch(hostname, own.filter((r) => !r.selector), (r) => r.host);
    if (found) return found;
    for (const ns of [serviceNamespace, this.rootNamespace]) {
      if (ns === clientNamespace) continue;
      const candidates = (this.byNamespace.get(ns) ?? []).filter((r) => !r.selector && isVisibleTo(r.exportTo, r.namespace, clientNamespace));
      const hit = mostSpecificHostMatch(hostname, candidates, (r) => r.host);
      if (hit) return hit;
    }
    return undefined;
  }

  all(): MergedDestinationRule[] {
    return [...this.byNamespace.values()].flat();
  }
}

function labelsEqual(a: Labels | undefined, b: Labels | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => a![k] === b?.[k]);
}
