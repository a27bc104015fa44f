import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import {
  conflictingMeshHostsAnalyzer,
  destinationHostAnalyzer,
  destinationSubsetAnalyzer,
  gatewayReferenceAnalyzer,
  ingressSubsetAnalyzer,
  meshHostAnalyzer,
} from './virtual-service-analyzers';
import { digest, registryOf, resources, SAMPLES_REGISTRY, BOOKINFO } from './spec-helpers';
import type { Analyzer } from './analyzer';
import type { AnalysisInput } from './input';

const run = (analyzer: Analyzer, yaml: string, registry: Partial<Omit<AnalysisInput, 'resources'>> = SAMPLES_REGISTRY) =>
  analyze({ resources: resources(yaml), ...registry }, { analyzers: [analyzer] });

const vs = (name: string, spec: string, namespace = 'default') => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
---`;

describe('virtualservice.DestinationHostAnalyzer', () => {
  it('reports a destination host in neither the registry nor a ServiceEntry, with Istio’s wording', () => {
    const m = run(destinationHostAnalyzer, vs('reviews', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviewz }`));
    expect(digest(m)).toEqual(['IST0101 VirtualService/default/reviews spec.http[0].route[0].destination.host']);
    expect(m[0]).toMatchObject({ level: 'Error', name: 'ReferencedResourceNotFound', text: 'Referenced host not found: "reviewz"', origin: { file: 'test.yaml', index: 0 } });
  });

  it('reports a missing mirror host, and a missing TCP destination', () => {
    const m = run(
      destinationHostAnalyzer,
      vs('reviews', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews }\n    mirror: { host: shadow }\n  tcp:\n  - route:\n    - destination: { host: mysql.db.svc.cluster.local }`),
    );
    expect(m.map((x) => x.text)).toEqual(['Referenced mirror host not found: "shadow"', 'Referenced host not found: "mysql.db.svc.cluster.local"']);
  });

  it('accepts registry services (short and fully qualified), ServiceEntry hosts and wildcard ServiceEntry hosts', () => {
    const yaml = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: external }
spec:
  hosts: [api.example.com, "*.wild.example.com"]
  ports: [{ number: 443, name: https, protocol: HTTPS }]
  resolution: NONE
---${vs('all', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews }\n      weight: 40\n    - destination: { host: ratings.default.svc.cluster.local }\n      weight: 20\n    - destination: { host: api.example.com }\n      weight: 20\n    - destination: { host: x.wild.example.com }\n      weight: 20`)}`;
    expect(run(destinationHostAnalyzer, yaml)).toEqual([]);
  });

  it('does not see a ServiceEntry host that is not exported to the VirtualService’s namespace', () => {
    const yaml = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: private, namespace: other }
spec:
  hosts: [private.example.com]
  exportTo: ["."]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  resolution: DNS
---${vs('a', `  hosts: [a.example.com]\n  http:\n  - route:\n    - destination: { host: private.example.com }`)}
${vs('b', `  hosts: [b.example.com]\n  http:\n  - route:\n    - destination: { host: private.example.com }`, 'other')}`;
    expect(digest(run(destinationHostAnalyzer, yaml))).toEqual(['IST0101 VirtualService/default/a spec.http[0].route[0].destination.host']);
  });

  it('reports a destination port the service does not serve', () => {
    const bad = run(destinationHostAnalyzer, vs('r', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews, port: { number: 9999 } }`));
    expect(bad.map((x) => [x.code, x.text, x.path])).toEqual([['IST0101', 'Referenced host:port not found: "reviews:9999" (it serves 9080)', 'spec.http[0].route[0].destination.port.number']]);
    expect(run(destinationHostAnalyzer, vs('r', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews, port: { number: 9080 } }`))).toEqual([]);
  });

  it('requires a port for a multi-port service at a gateway (IST0112), not in the mesh', () => {
    const registry = registryOf([...BOOKINFO, { service: { name: 'multi', namespace: 'default', ports: [{ port: 80 }, { port: 9090 }] }, workloads: [] }]);
    const gw = vs('gw-route', `  hosts: ["*"]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: multi }`);
    const m = run(destinationHostAnalyzer, gw, registry);
    expect(digest(m)).toEqual(['IST0112 VirtualService/default/gw-route spec.http[0].route[0].destination']);
    expect(m[0]!.level).toBe('Error');
    expect(run(destinationHostAnalyzer, vs('mesh-route', `  hosts: [multi]\n  http:\n  - route:\n    - destination: { host: multi }`), registry)).toEqual([]);
    expect(run(destinationHostAnalyzer, gw.replace('host: multi', 'host: multi, port: { number: 80 }'), registry)).toEqual([]);
  });
});

const DR_REVIEWS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---`;

describe('virtualservice.DestinationRuleAnalyzer', () => {
  it('reports a subset no DestinationRule defines, naming the rule that applies', () => {
    const m = run(destinationSubsetAnalyzer, DR_REVIEWS + vs('reviews', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews, subset: v1 }\n      weight: 50\n    - destination: { host: reviews, subset: v4 }\n      weight: 50`));
    expect(digest(m)).toEqual(['IST0101 VirtualService/default/reviews spec.http[0].route[1].destination.subset']);
    expect(m[0]!.text).toBe('Referenced host+subset in destinationrule not found: "reviews+v4" (DestinationRule default/reviews applies to it and defines subsets v1, v2)');
  });

  it('reports a subset when there is no DestinationRule at all, and for mirrors', () => {
    const m = run(destinationSubsetAnalyzer, vs('ratings', `  hosts: [ratings]\n  http:\n  - route:\n    - destination: { host: ratings, subset: v1 }\n    mirror: { host: ratings, subset: v2 }`));
    expect(m.map((x) => [x.path, x.text])).toEqual([
      ['spec.http[0].mirror.subset', 'Referenced mirror+subset in destinationrule not found: "ratings+v2"'],
      ['spec.http[0].route[0].destination.subset', 'Referenced host+subset in destinationrule not found: "ratings+v1"'],
    ]);
  });

  it('accepts subsets of a wildcard DestinationRule and of merged rules for the same host', () => {
    const yaml = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: all-v1 }
spec:
  host: "*.default.svc.cluster.local"
  subsets: [{ name: v1, labels: { version: v1 } }]
---${vs('ratings', `  hosts: [ratings]\n  http:\n  - route:\n    - destination: { host: ratings, subset: v1 }`)}`;
    expect(run(destinationSubsetAnalyzer, yaml)).toEqual([]);
  });

  it('follows Istio’s precedence: a rule in the client’s namespace hides the one in the service’s', () => {
    const yaml = `${DR_REVIEWS}
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews-client, namespace: test }
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: { loadBalancer: { simple: RANDOM } }
---${vs('from-test', `  hosts: [reviews.default.svc.cluster.local]\n  http:\n  - route:\n    - destination: { host: reviews.default.svc.cluster.local, subset: v1 }`, 'test')}
${vs('from-default', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews, subset: v1 }`)}`;
    const m = run(destinationSubsetAnalyzer, yaml);
    expect(digest(m)).toEqual(['IST0101 VirtualService/test/from-test spec.http[0].route[0].destination.subset']);
    expect(m[0]!.text).toContain('(DestinationRule test/reviews-client applies to it and defines no subsets)');
  });
});

const GATEWAY = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: ingress, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - port: { number: 80, name: http, protocol: HTTP }
    hosts: ["bookinfo.example.com", "prod/*.prod.example.com"]
---`;

describe('virtualservice.GatewayAnalyzer', () => {
  it('reports a gateway that does not exist (top level and in a match)', () => {
    const m = run(gatewayReferenceAnalyzer, GATEWAY + vs('bookinfo', `  hosts: [bookinfo.example.com]\n  gateways: [istio-system/ingress, bookinfo-gateway, mesh]\n  http:\n  - match:\n    - gateways: [istio-system/ingres]\n    route:\n    - destination: { host: productpage }`));
    expect(digest(m)).toEqual(['IST0101 VirtualService/default/bookinfo spec.gateways[1]', 'IST0101 VirtualService/default/bookinfo spec.http[0].match[0].gateways[0]']);
    expect(m[0]!.text).toBe('Referenced gateway not found: "bookinfo-gateway"');
  });

  it('warns when none of the VirtualService’s hosts is exposed by the gateway (IST0132), honouring namespace/host server hosts', () => {
    const other = run(gatewayReferenceAnalyzer, GATEWAY + vs('other', `  hosts: [other.example.com]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: productpage }`));
    expect(digest(other)).toEqual(['IST0132 VirtualService/default/other spec.gateways[0]']);
    expect(other[0]!.level).toBe('Warning');
    const wrongNs = run(gatewayReferenceAnalyzer, GATEWAY + vs('shop', `  hosts: [shop.prod.example.com]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: productpage }`));
    expect(digest(wrongNs)).toEqual(['IST0132 VirtualService/default/shop spec.gateways[0]']);
    const rightNs = run(gatewayReferenceAnalyzer, GATEWAY + vs('shop', `  hosts: [shop.prod.example.com]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: productpage.default.svc.cluster.local }`, 'prod'));
    expect(rightNs).toEqual([]);
  });
});

describe('virtualservice.ConflictingMeshGatewayHostsAnalyzer', () => {
  it('reports each mesh VirtualService that shares a host with another (IST0109)', () => {
    const m = run(conflictingMeshHostsAnalyzer, vs('reviews-a', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews }`) + vs('reviews-b', `  hosts: [reviews.default.svc.cluster.local]\n  gateways: [mesh]\n  http:\n  - route:\n    - destination: { host: reviews }`));
    expect(digest(m)).toEqual(['IST0109 VirtualService/default/reviews-a spec.hosts[0]', 'IST0109 VirtualService/default/reviews-b spec.hosts[0]']);
    expect(m[0]!.text).toContain('default/reviews-a, default/reviews-b bound to the mesh all define host reviews.default.svc.cluster.local');
  });

  it('does not report gateway-only VirtualServices or ones exported to disjoint namespaces', () => {
    const gwOnly = vs('a', `  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews }`) + vs('b', `  hosts: [reviews]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: reviews }`);
    expect(run(conflictingMeshHostsAnalyzer, gwOnly)).toEqual([]);
    const host = 'api.example.com';
    const scoped = vs('a', `  hosts: [${host}]\n  exportTo: ["."]\n  http:\n  - route:\n    - destination: { host: reviews.default.svc.cluster.local }`, 'team-a') + vs('b', `  hosts: [${host}]\n  exportTo: ["."]\n  http:\n  - route:\n    - destination: { host: reviews.default.svc.cluster.local }`, 'team-b');
    expect(run(conflictingMeshHostsAnalyzer, scoped)).toEqual([]);
  });
});

describe('virtualservice.HostAnalyzer', () => {
  it('warns about a mesh host that matches no service (SXT1003), not about gateway or wildcard hosts', () => {
    const m = run(meshHostAnalyzer, vs('typo', `  hosts: [reviewz, reviews, "*.example.com"]\n  http:\n  - route:\n    - destination: { host: reviews }`) + vs('edge', `  hosts: [bookinfo.example.com]\n  gateways: [istio-system/ingress]\n  http:\n  - route:\n    - destination: { host: productpage }`));
    expect(digest(m)).toEqual(['SXT1003 VirtualService/default/typo spec.hosts[0]']);
    expect(m[0]!.level).toBe('Warning');
  });
});

describe('virtualservice.IngressRouteRulesAnalyzer', () => {
  const mesh = vs('productpage', `  hosts: [productpage]\n  http:\n  - route:\n    - destination: { host: productpage, subset: v1 }`);
  it('warns when a gateway route bypasses the subsets of the host’s mesh VirtualService (IST0140)', () => {
    const m = run(ingressSubsetAnalyzer, mesh + vs('bookinfo', `  hosts: ["*"]\n  gateways: [bookinfo-gateway]\n  http:\n  - route:\n    - destination: { host: productpage, port: { number: 9080 } }`));
    expect(digest(m)).toEqual(['IST0140 VirtualService/default/bookinfo spec.http[0].route[0].destination.host']);
    expect(m[0]!.text).toContain('do not follow the subsets of VirtualService default/productpage');
  });
  it('is quiet when the gateway route names a subset or the mesh VirtualService has none', () => {
    expect(run(ingressSubsetAnalyzer, mesh + vs('bookinfo', `  hosts: ["*"]\n  gateways: [bookinfo-gateway]\n  http:\n  - route:\n    - destination: { host: productpage, subset: v1 }`))).toEqual([]);
    const plain = vs('productpage', `  hosts: [productpage]\n  http:\n  - route:\n    - destination: { host: productpage }`);
    expect(run(ingressSubsetAnalyzer, plain + vs('bookinfo', `  hosts: ["*"]\n  gateways: [bookinfo-gateway]\n  http:\n  - route:\n    - destination: { host: productpage }`))).toEqual([]);
  });
});
