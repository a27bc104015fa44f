// Routes that never apply: within one VirtualService, a rule (or one match
// of a rule) whose every request an earlier rule already takes; across
// VirtualServices merged on one gateway host, routes whose outcome depends on
// the order the merge puts them in.
import type { HTTPMatchRequest, L4MatchAttributes, TLSMatchAttributes, VirtualService } from '@sextant/config-model';
import type { Analyzer } from './analyzer';
import type { AnalysisContext } from './context';
import { fullName } from './context';
import type { LocatedResource } from './input';
import { findCovering, httpMatchCovers, l4MatchCovers, type CoverFn, type RuleLike } from './match-cover';
import { gatewayKeysOf, ruleLabel, usesDelegate } from './virtual-service-helpers';

function analyzeRules<M>(ctx: AnalysisContext, located: LocatedResource<VirtualService>, section: string, rules: readonly RuleLike<M>[], covers: CoverFn<M>): void {
  rules.forEach((rule, i) => {
    if (i === 0) return;
    const rulePath = `spec.${section}[${i}]`;
    const matches = rule.match ?? [];
    if (matches.length === 0) {
      const earlier = findCatchAll(rules, i);
      if (earlier !== undefined) ctx.report('IST0130', located, `VirtualService rule ${ruleLabel(rule, i)} is never used: rule ${ruleLabel(rules[earlier]!, earlier)} has no match and takes every request first`, rulePath);
      return;
    }
    const covering = matches.map((m) => findCovering(rules, i, m, covers));
    if (covering.every((c) => c !== undefined)) {
      const by = [...new Set(covering.map((c) => c!.rule))].map((r) => ruleLabel(rules[r]!, r));
      const verb = by.length > 1 ? 'take' : 'takes';
      ctx.report('IST0130', located, `VirtualService rule ${ruleLabel(rule, i)} is never used: earlier rule${by.length > 1 ? 's' : ''} ${by.join(', ')} ${verb} every request it matches`, rulePath);
      return;
    }
    covering.forEach((c, j) => {
      if (!c) return;
      const byMatch = c.match < 0 ? '' : ` match #${c.match}`;
      ctx.report('IST0131', located, `Match #${j} of VirtualService rule ${ruleLabel(rule, i)} is never used: rule ${ruleLabel(rules[c.rule]!, c.rule)}${byMatch} already takes every request it matches`, `${rulePath}.match[${j}]`);
    });
  });
}

function findCatchAll<M>(rules: readonly RuleLike<M>[], before: number): number | undefined {
  for (let i = 0; i < before; i++) if ((rules[i]!.match ?? []).length === 0) return i;
  return undefined;
}

export const routeShadowAnalyzer: Analyzer = {
  name: 'virtualservice.UnreachableRouteAnalyzer',
  description: 'Finds VirtualService rules and matches that an earlier rule of the same VirtualService always takes first',
  inputs: ['VirtualService'],
  codes: ['IST0130', 'IST0131'],
  analyze(ctx) {
    for (const located of ctx.of('VirtualService')) {
      const spec = located.resource.spec;
      analyzeRules<HTTPMatchRequest>(ctx, located, 'http', spec.http ?? [], httpMatchCovers);
      analyzeRules<L4MatchAttributes>(ctx, located, 'tcp', spec.tcp ?? [], l4MatchCovers);
      analyzeRules<TLSMatchAttributes>(ctx, located, 'tls', spec.tls ?? [], l4MatchCovers);
    }
  },
};

/** The first rule of `a` that takes requests some rule of `b` matches. */
function shadowing(a: VirtualService, b: VirtualService): { ruleA: number; ruleB: number } | undefined {
  const ra = a.spec.http ?? [];
  const rb = b.spec.http ?? [];
  for (let i = 0; i < ra.length; i++) {
    const am = ra[i]!.match ?? [];
    for (let j = 0; j < rb.length; j++) {
      const bm = rb[j]!.match ?? [];
      if (am.length === 0) return { ruleA: i, ruleB: j };
      if (bm.length === 0) continue;
      if (bm.some((m) => am.some((x) => httpMatchCovers(x, m)))) return { ruleA: i, ruleB: j };
    }
  }
  return undefined;
}

export const gatewayMergeAnalyzer: Analyzer = {
  name: 'virtualservice.GatewayRouteMergeAnalyzer',
  description: 'Finds VirtualServices that share a host on one gateway (their routes are merged) where one shadows routes of the other, so the result depends on their order',
  inputs: ['VirtualService'],
  codes: ['SXT1002'],
  analyze(ctx) {
    const groups = new Map<string, LocatedResource<VirtualService>[]>();
    for (const located of ctx.of('VirtualService')) {
      const vs = located.resource;
      if (usesDelegate(vs) || !(vs.spec.http ?? []).length) continue;
      const ns = vs.metadata.namespace ?? '';
      for (const gw of gatewayKeysOf(vs)) {
        for (const h of new Set((vs.spec.hosts ?? []).map((x) => ctx.fqdn(x, ns)))) {
          const key = `${gw} ${h}`;
          groups.set(key, [...(groups.get(key) ?? []), located]);
        }
      }
    }
    const reported = new Set<string>();
    for (const [key, list] of groups) {
      const [gw, host] = key.split(' ');
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          const pair = `${fullName(a.resource)}|${fullName(b.resource)}`;
          if (reported.has(pair)) continue;
          const ab = shadowing(a.resource, b.resource);
          const ba = ab ? undefined : shadowing(b.resource, a.resource);
          const hit = ab ? { first: a, second: b, ...ab } : ba ? { first: b, second: a, ...ba } : undefined;
          if (!hit) continue;
          reported.add(pair);
          const text = `VirtualServices ${fullName(a.resource)} and ${fullName(b.resource)} both route host ${host} on gateway ${gw}; their routes are merged, and rule #${hit.ruleA} of ${fullName(hit.first.resource)} takes requests that rule #${hit.ruleB} of ${fullName(hit.second.resource)} matches, so the outcome depends on their order`;
          ctx.report('SXT1002', a, text, 'spec.hosts');
          ctx.report('SXT1002', b, text, 'spec.hosts');
        }
      }
    }
  },
};
