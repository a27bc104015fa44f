import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import { gatewayMergeAnalyzer, routeShadowAnalyzer } from './route-shadow-analyzers';
import { digest, resources } from './spec-helpers';
import type { Analyzer } from './analyzer';

const run = (analyzer: Analyzer, yaml: string) => analyze({ resources: resources(yaml) }, { analyzers: [analyzer] });

const vs = (name: string, body: string, extra = '') => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name} }
spec:
  hosts: [reviews]
${extra}${body}
---`;

const to = (host = 'reviews') => `    route:\n    - destination: { host: ${host} }\n`;

describe('virtualservice.UnreachableRouteAnalyzer', () => {
  it('reports every rule after a catch-all (IST0130)', () => {
    const m = run(routeShadowAnalyzer, vs('r', `  http:\n  - name: all\n${to()}  - match:\n    - uri: { prefix: /api }\n${to()}  - ${to().trimStart()}`));
    expect(digest(m)).toEqual(['IST0130 VirtualService/default/r spec.http[1]', 'IST0130 VirtualService/default/r spec.http[2]']);
    expect(m[0]).toMatchObject({ level: 'Warning', name: 'VirtualServiceUnreachableRule' });
    expect(m[0]!.text).toBe('VirtualService rule #1 is never used: earlier rule "all" (#0) takes every request it matches');
  });

  it('reports a rule shadowed by an earlier superset match: prefix / before /api, regex before exact', () => {
    const prefix = run(routeShadowAnalyzer, vs('r', `  http:\n  - match:\n    - uri: { prefix: / }\n${to()}  - name: api\n    match:\n    - uri: { prefix: /api }\n      headers: { x-user: { exact: jason } }\n${to()}`));
    expect(digest(prefix)).toEqual(['IST0130 VirtualService/default/r spec.http[1]']);
    const regex = run(routeShadowAnalyzer, vs('r', `  http:\n  - match:\n    - uri: { regex: "/api/v[0-9]+/.*" }\n${to()}  - match:\n    - uri: { exact: /api/v2/items }\n${to()}`));
    expect(digest(regex)).toEqual(['IST0130 VirtualService/default/r spec.http[1]']);
  });

  it('reports a single covered match of a rule that stays reachable (IST0131, Info)', () => {
    const m = run(routeShadowAnalyzer, vs('r', `  http:\n  - match:\n    - uri: { exact: /login }\n${to()}  - match:\n    - uri: { exact: /login }\n      method: { exact: POST }\n    - uri: { prefix: /logout }\n${to()}`));
    expect(digest(m)).toEqual(['IST0131 VirtualService/default/r spec.http[1].match[0]']);
    expect(m[0]).toMatchObject({ level: 'Info', text: 'Match #0 of VirtualService rule #1 is never used: rule #0 match #0 already takes every request it matches' });
  });

  it('does not report matches that are narrower, different or beyond what it can prove', () => {
    const body = `  http:
  - match:
    - uri: { prefix: /api }
      method: { exact: GET }
${to()}  - match:
    - uri: { prefix: /api/v1 }
${to()}  - match:
    - uri: { regex: "/a.*" }
${to()}  - match:
    - uri: { regex: "/b.*" }
${to()}  - match:
    - headers: { end-user: { exact: jason } }
${to()}  - match:
    - headers: { end-user: { prefix: ja } }
${to()}  - match:
    - uri: { exact: /CASE }
${to()}  - match:
    - uri: { exact: /case }
      ignoreUriCase: true
${to()}  - ${to().trimStart()}`;
    expect(run(routeShadowAnalyzer, vs('r', body))).toEqual([]);
  });

  it('understands ignoreUriCase, source labels, ports and withoutHeaders', () => {
    const m = run(
      routeShadowAnalyzer,
      vs(
        'r',
        `  http:
  - match:
    - uri: { exact: /Api }
      ignoreUriCase: true
${to()}  - match:
    - uri: { exact: /api }
${to()}  - match:
    - sourceLabels: { app: productpage }
      port: 9080
${to()}  - match:
    - sourceLabels: { app: productpage, version: v1 }
      port: 9080
      withoutHeaders: { x-debug: {} }
${to()}  - match:
    - withoutHeaders: { x-debug: {} }
${to()}  - match:
    - withoutHeaders: { x-debug: { exact: "1" } }
${to()}`,
      ),
    );
    expect(digest(m)).toEqual(['IST0130 VirtualService/default/r spec.http[1]', 'IST0130 VirtualService/default/r spec.http[3]']);
  });

  it('covers TCP and TLS rules: ports and SNI hosts', () => {
    const m = run(
      routeShadowAnalyzer,
      vs(
        'tcp',
        `  tcp:
  - match:
    - port: 3306
${to('mysqldb')}  - match:
    - port: 3306
      sourceLabels: { app: ratings }
${to('mysqldb')}  tls:
  - match:
    - port: 443
      sniHosts: ["*.example.com"]
${to('reviews')}  - match:
    - port: 443
      sniHosts: [a.example.com]
${to('reviews')}  - match:
    - port: 443
      sniHosts: [a.example.org]
${to('reviews')}`,
      ).replace('hosts: [reviews]', 'hosts: ["*.example.com", "*.example.org", mysqldb]'),
    );
    expect(digest(m)).toEqual(['IST0130 VirtualService/default/tcp spec.tcp[1]', 'IST0130 VirtualService/default/tcp spec.tls[1]']);
  });
});

describe('virtualservice.GatewayRouteMergeAnalyzer', () => {
  const gw = `  gateways: [istio-system/ingress]\n`;
  it('warns when VirtualServices merged on one gateway host shadow each other (SXT1002)', () => {
    const yaml = vs('catch-all', `  http:\n  - ${to().trimStart()}`, gw) + vs('api', `  http:\n  - match:\n    - uri: { prefix: /api }\n${to()}`, gw);
    const m = run(gatewayMergeAnalyzer, yaml);
    expect(digest(m)).toEqual(['SXT1002 VirtualService/default/api spec.hosts', 'SXT1002 VirtualService/default/catch-all spec.hosts']);
    expect(m[0]!.text).toContain('rule #0 of default/catch-all takes requests that rule #0 of default/api matches');
  });

  it('is quiet for disjoint routes, different gateways, mesh-only and delegating VirtualServices', () => {
    const disjoint = vs('a', `  http:\n  - match:\n    - uri: { prefix: /a }\n${to()}`, gw) + vs('b', `  http:\n  - match:\n    - uri: { prefix: /b }\n${to()}`, gw);
    expect(run(gatewayMergeAnalyzer, disjoint)).toEqual([]);
    const otherGw = vs('a', `  http:\n  - ${to().trimStart()}`, gw) + vs('b', `  http:\n  - ${to().trimStart()}`, `  gateways: [istio-system/other]\n`);
    expect(run(gatewayMergeAnalyzer, otherGw)).toEqual([]);
    const delegating = vs('root', `  http:\n  - delegate: { name: child }\n`, gw) + vs('b', `  http:\n  - ${to().trimStart()}`, gw);
    expect(run(gatewayMergeAnalyzer, delegating)).toEqual([]);
  });
});
