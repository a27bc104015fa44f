import { describe, expect, it } from 'vitest';
import { ALL_ANALYZERS, analyze, findAnalyzer } from './all-analyzers';
import { planAnalysis, type Analyzer } from './analyzer';
import { formatMessage } from './message';
import { codes, digest, resources, SAMPLES_REGISTRY } from './spec-helpers';

const BROKEN = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews]
  gateways: [missing-gateway]
  http:
  - route: [{ destination: { host: reviewz, subset: v9 } }]
  - route: [{ destination: { host: reviews } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings, namespace: other }
spec:
  hosts: [ratings.default.svc.cluster.local]
  http:
  - route: [{ destination: { host: ratingz.default.svc.cluster.local } }]
---`;

describe('the analyzer runner', () => {
  it('skips analyzers whose registry inputs are unknown, and says which', () => {
    const input = { resources: resources(BROKEN) };
    expect(codes(analyze(input))).not.toContain('SXT1003');
    expect(digest(analyze(input)).filter((d) => d.includes('destination.host'))).toEqual([]);
    const plan = planAnalysis(input, ALL_ANALYZERS);
    expect(plan.skipped).toContainEqual({ analyzer: 'virtualservice.DestinationHostAnalyzer', missing: ['services'] });
    expect(plan.skipped).toContainEqual({ analyzer: 'gateway.SecretAnalyzer', missing: ['secrets'] });
    expect(plan.run.map((a) => a.name)).toContain('destinationrule.MTLSPolicyConflictAnalyzer'); // optional registry inputs only
    const known = planAnalysis({ ...input, ...SAMPLES_REGISTRY, secrets: [] }, ALL_ANALYZERS);
    expect(known.skipped).toEqual([]);
  });

  it('turns a failing analyzer into IST0001 and runs the others', () => {
    const failing: Analyzer = { name: 'test.Failing', description: 'throws', inputs: [], codes: [], analyze: () => { throw new Error('boom'); } };
    const m = analyze({ resources: resources(BROKEN), ...SAMPLES_REGISTRY }, { analyzers: [failing, findAnalyzer('virtualservice.GatewayAnalyzer')!] });
    expect(m.map((x) => [x.code, x.level, x.text])).toEqual([
      ['IST0001', 'Error', 'analyzer test.Failing failed: boom'],
      ['IST0101', 'Error', 'Referenced gateway not found: "missing-gateway"'],
    ]);
  });

  it('reports only on the namespace asked for, and honours galley.istio.io/analyze-suppress', () => {
    const input = { resources: resources(BROKEN), ...SAMPLES_REGISTRY };
    expect(new Set(analyze(input, { namespace: 'other' }).map((m) => m.origin?.namespace))).toEqual(new Set(['other']));
    const suppressed = resources(BROKEN.replace('metadata: { name: reviews, namespace: default }', 'metadata: { name: reviews, namespace: default, annotations: { galley.istio.io/analyze-suppress: "IST0101,SXT1003" } }'));
    const left = analyze({ resources: suppressed, ...SAMPLES_REGISTRY }, { namespace: 'default' });
    expect(digest(left)).toEqual(['IST0130 VirtualService/default/reviews spec.http[1]']);
    const all = resources(BROKEN.replace('metadata: { name: reviews, namespace: default }', 'metadata: { name: reviews, namespace: default, annotations: { galley.istio.io/analyze-suppress: "*" } }'));
    expect(analyze({ resources: all, ...SAMPLES_REGISTRY }, { namespace: 'default' })).toEqual([]);
  });

  it('sorts errors first and renders one line per message', () => {
    const m = analyze({ resources: resources(BROKEN, 'bookinfo.yaml'), ...SAMPLES_REGISTRY });
    const levels = m.map((x) => x.level);
    expect(levels).toEqual([...levels].sort((a, b) => ['Error', 'Warning', 'Info'].indexOf(a) - ['Error', 'Warning', 'Info'].indexOf(b)));
    expect(m.map(formatMessage)).toContain('Error [IST0101] (VirtualService default/reviews bookinfo.yaml#0) Referenced host not found: "reviewz" at spec.http[0].route[0].destination.host');
  });

  it('does not change its input', () => {
    const input = { resources: resources(BROKEN), ...SAMPLES_REGISTRY, secrets: [] };
    const before = JSON.stringify(input);
    analyze(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});
