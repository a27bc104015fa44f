import { describe, expect, it } from 'vitest';
import { analyzeFiles, DEFAULT_INGRESS_GATEWAY } from './analyze-files';
import { formatMessage } from './message';
import { formatTextReport } from './report-format';
import { digest, resources, SAMPLES_REGISTRY } from './spec-helpers';

const file = (name: string, text: string) => ({ file: name, content: Buffer.from(text) });

const VS = (name: string, host: string, extra = '') => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name} }
spec:
  hosts: [${host}]
  http:
  - route: [{ destination: { host: ${host} } }]
${extra}---`;

describe('analyzeFiles', () => {
  it('reports validation errors as IST0106 with file, document and path, and still analyses the valid documents', () => {
    const bad = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: broken }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { simple: FASTEST } }
---${VS('ratings', 'ratingz')}`;
    const r = analyzeFiles({ files: [file('bad.yaml', bad), file('syntax.yaml', 'a: [1,\n')], registry: SAMPLES_REGISTRY });
    expect(digest(r.messages)).toEqual([
      'IST0106 -',
      'IST0106 DestinationRule/default/broken spec.trafficPolicy.loadBalancer.simple',
      'IST0101 VirtualService/default/ratings spec.http[0].route[0].destination.host',
      'SXT1003 VirtualService/default/ratings spec.hosts[0]',
    ]);
    expect(r.messages.filter((m) => m.code === 'IST0106').map(formatMessage)).toEqual([
      expect.stringMatching(/^Error \[IST0106\] \(syntax\.yaml#0\) Schema validation error: .*\(YAML_SYNTAX\)$/),
      expect.stringMatching(/^Error \[IST0106\] \(DestinationRule default\/broken bad\.yaml#0\) Schema validation error: .*FASTEST.* at spec\.trafficPolicy\.loadBalancer\.simple$/),
    ]);
    expect(r.messages.filter((m) => m.code === 'IST0101').map(formatMessage)).toEqual(['Error [IST0101] (VirtualService default/ratings bad.yaml#1) Referenced host not found: "ratingz" at spec.http[0].route[0].destination.host']);
    expect(r.counts.errors).toBe(3);
  });

  it('maps deprecations to IST0002 and other warnings to IST0133, leaving shadowed rules to the route analyzer', () => {
    const yaml = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - fault: { abort: { percentage: { value: 10 } } }
    route: [{ destination: { host: reviews } }]
  - route: [{ destination: { host: reviews } }]
    corsPolicy: { allowOrigin: ["https://a.example.com"] }
---`;
    const r = analyzeFiles({ files: [file('w.yaml', yaml)], registry: SAMPLES_REGISTRY });
    expect(r.messages.map((m) => [m.code, m.path])).toEqual([
      ['IST0002', 'spec.http[1].corsPolicy.allowOrigin'],
      ['IST0130', 'spec.http[1]'],
      ['IST0133', 'spec.http[0].fault.abort'],
    ]);
  });

  it('lays the files over the live configuration: same identity, the file wins', () => {
    const live = resources(VS('reviews', 'reviewz') + VS('ratings', 'ratings')).map((l) => l.resource);
    const fixed = VS('reviews', 'reviews');
    const r = analyzeFiles({ files: [file('fix.yaml', fixed)], live: { resources: live, registry: SAMPLES_REGISTRY } });
    expect(r.messages).toEqual([]);
    expect(r.sources).toMatchObject({ files: 1, fileResources: 1, liveResources: 1, replacedLive: 1, services: 9, workloads: 18 });
    const liveOnly = analyzeFiles({ files: [], live: { resources: live, registry: SAMPLES_REGISTRY } });
    expect(digest(liveOnly.messages)).toEqual(['IST0101 VirtualService/default/reviews spec.http[0].route[0].destination.host', 'SXT1003 VirtualService/default/reviews spec.hosts[0]']);
    expect(liveOnly.messages[0]!.origin).toEqual({ kind: 'VirtualService', namespace: 'default', name: 'reviews' });
  });

  it('reads Kubernetes objects among the files as the registry, and defaults documents to the namespace asked for', () => {
    const k8s = `
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80, name: http }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec: { template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: x }] } } }
---`;
    const shop = analyzeFiles({ files: [file('k8s.yaml', k8s.replace(/metadata: \{ name: web \}/g, 'metadata: { name: web, namespace: shop }')), file('vs.yaml', VS('web', 'web'))] }, { namespace: 'shop', defaultNamespace: 'shop' });
    expect(shop.messages).toEqual([]);
    expect(shop.sources).toMatchObject({ registryObjects: 2, services: 1, workloads: 1 });
    expect(shop.sources.secrets).toBeUndefined();
    const otherNs = k8s.replace(/metadata: \{ name: web \}/g, 'metadata: { name: web, namespace: other }');
    const wrongNs = analyzeFiles({ files: [file('k8s.yaml', otherNs), file('vs.yaml', VS('web', 'web'))] }, { namespace: 'shop', defaultNamespace: 'shop' });
    expect(digest(wrongNs.messages)).toEqual(['IST0101 VirtualService/shop/web spec.http[0].route[0].destination.host', 'SXT1003 VirtualService/shop/web spec.hosts[0]']);
  });

  it('can assume the default ingress gateway when the workloads hold none', () => {
    const gw = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
---`;
    const registry = { services: [], workloads: [] };
    expect(digest(analyzeFiles({ files: [file('gw.yaml', gw)], registry }).messages)).toEqual(['IST0101 Gateway/default/gw spec.selector']);
    const r = analyzeFiles({ files: [file('gw.yaml', gw)], registry }, { defaultIngressGateway: true });
    expect(r.messages).toEqual([]);
    expect(r.sources.workloads).toBe(1);
    expect(DEFAULT_INGRESS_GATEWAY.labels).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
  });

  it('summarises what was analysed and what was skipped', () => {
    const clean = analyzeFiles({ files: [file('vs.yaml', VS('reviews', 'reviews'))] }, { namespace: 'default' });
    expect(formatTextReport(clean, 'default').split('\n')).toEqual([
      'No validation issues found when analyzing namespace: default.',
      'Analyzed 1 resource from 1 file; registry: services unknown, workloads unknown, secrets unknown.',
      expect.stringMatching(/^Skipped 10 analyzers that need unknown inputs \(services, workloads, secrets\): virtualservice\.DestinationHostAnalyzer, /),
    ]);
    const bad = analyzeFiles({ files: [file('vs.yaml', VS('reviews', 'reviewz'))], registry: { ...SAMPLES_REGISTRY, secrets: [] } });
    expect(formatTextReport(bad, undefined).split('\n').slice(-2)).toEqual([
      'Error: analyzers found 1 error, 1 warning, 0 info messages when analyzing all namespaces.',
      'Analyzed 1 resource from 1 file; registry: 9 services, 18 workloads, 0 secrets.',
    ]);
  });
});
