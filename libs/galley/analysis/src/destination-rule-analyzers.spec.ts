import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import type { Analyzer } from './analyzer';
import {
  caCertificateAnalyzer,
  mergedDestinationRuleAnalyzer,
  mtlsConflictAnalyzer,
  subsetWorkloadAnalyzer,
  unknownHostAnalyzer,
} from './destination-rule-analyzers';
import type { AnalysisInput } from './input';
import { digest, resources, SAMPLES_REGISTRY } from './spec-helpers';

const run = (analyzer: Analyzer, yaml: string, input: Partial<Omit<AnalysisInput, 'resources'>> = SAMPLES_REGISTRY) =>
  analyze({ resources: resources(yaml), ...input }, { analyzers: [analyzer] });

const dr = (name: string, spec: string, namespace = 'default') => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
---`;

const SE_DB = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: db }
spec:
  hosts: [db.internal]
  location: MESH_INTERNAL
  ports: [{ number: 5432, name: tcp, protocol: TCP }]
  resolution: STATIC
  workloadSelector: { labels: { app: db } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: db-vm-1 }
spec:
  address: 10.0.0.7
  labels: { app: db, role: primary }
---`;

describe('destinationrule.UnknownHostAnalyzer', () => {
  it('warns about a host that matches no service nor ServiceEntry (IST0174)', () => {
    const m = run(unknownHostAnalyzer, dr('typo', '  host: reviewz') + dr('far', '  host: "*.nowhere.example"'));
    expect(digest(m)).toEqual(['IST0174 DestinationRule/default/far spec.host', 'IST0174 DestinationRule/default/typo spec.host']);
    expect(m[1]).toMatchObject({ level: 'Warning', text: 'The host "reviewz" of the DestinationRule matches no service in the registry nor a ServiceEntry' });
  });

  it('accepts registry services, ServiceEntry hosts and wildcards that match a service', () => {
    const yaml = SE_DB + dr('a', '  host: reviews') + dr('b', '  host: db.internal') + dr('c', '  host: "*.default.svc.cluster.local"') + dr('d', '  host: ratings.default.svc.cluster.local', 'other');
    expect(run(unknownHostAnalyzer, yaml)).toEqual([]);
  });
});

describe('destinationrule.SubsetSelectPodAnalyzer', () => {
  it('reports a subset whose labels select no workload of the host (IST0173, Error)', () => {
    const m = run(subsetWorkloadAnalyzer, dr('reviews', '  host: reviews\n  subsets:\n  - { name: v1, labels: { version: v1 } }\n  - { name: v4, labels: { version: v4 } }'));
    expect(digest(m)).toEqual(['IST0173 DestinationRule/default/reviews spec.subsets[1].labels']);
    expect(m[0]!.level).toBe('Error');
    expect(m[0]!.text).toMatch(/^Subset "v4" \(version=v4\) selects no workload of reviews \(its 3 workloads: app=reviews,version=v1; /);
  });

  it('only counts workloads of the host itself, and understands ServiceEntry selectors and WorkloadEntries', () => {
    const m = run(subsetWorkloadAnalyzer, dr('ratings', '  host: ratings\n  subsets:\n  - { name: v3, labels: { app: reviews, version: v3 } }') + SE_DB + dr('db', '  host: db.internal\n  subsets:\n  - { name: primary, labels: { role: primary } }\n  - { name: replica, labels: { role: replica } }'));
    expect(digest(m)).toEqual(['IST0173 DestinationRule/default/db spec.subsets[1].labels', 'IST0173 DestinationRule/default/ratings spec.subsets[0].labels']);
  });

  it('skips hosts whose instances cannot be known (a ServiceEntry with resolution NONE)', () => {
    const se = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: passthrough }
spec:
  hosts: [legacy.example.com]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  resolution: NONE
---`;
    expect(run(subsetWorkloadAnalyzer, se + dr('legacy', '  host: legacy.example.com\n  subsets:\n  - { name: v1, labels: { version: v1 } }'))).toEqual([]);
  });
});

describe('destinationrule.CaCertificateAnalyzer', () => {
  it('warns when TLS is originated without CA certificates, at rule (IST0128) and port level (IST0129)', () => {
    const m = run(caCertificateAnalyzer, dr('tls', '  host: api.example.com\n  trafficPolicy:\n    tls: { mode: SIMPLE }\n    portLevelSettings:\n    - port: { number: 8443 }\n      tls: { mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem }'));
    expect(digest(m)).toEqual(['IST0128 DestinationRule/default/tls spec.trafficPolicy.tls.mode', 'IST0129 DestinationRule/default/tls spec.trafficPolicy.portLevelSettings[0].tls.mode']);
    expect(m[0]!.text).toBe("DestinationRule default/tls originates TLS (SIMPLE) to api.example.com without caCertificates, so the server's certificate is not verified");
  });

  it('is quiet with caCertificates, a credentialName, insecureSkipVerify or Istio mTLS', () => {
    const yaml =
      dr('a', '  host: a.example.com\n  trafficPolicy:\n    tls: { mode: SIMPLE, caCertificates: /etc/ca.pem }') +
      dr('b', '  host: b.example.com\n  trafficPolicy:\n    tls: { mode: SIMPLE, credentialName: b-client }') +
      dr('c', '  host: c.example.com\n  trafficPolicy:\n    tls: { mode: SIMPLE, insecureSkipVerify: true }') +
      dr('d', '  host: reviews\n  trafficPolicy:\n    tls: { mode: ISTIO_MUTUAL }');
    expect(run(caCertificateAnalyzer, yaml)).toEqual([]);
  });
});

const pa = (name: string, spec: string, namespace = 'default') => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
---`;

describe('destinationrule.MTLSPolicyConflictAnalyzer', () => {
  it('reports ISTIO_MUTUAL towards workloads whose PeerAuthentication disables mTLS (IST0113)', () => {
    const m = run(mtlsConflictAnalyzer, dr('ratings', '  host: ratings\n  trafficPolicy:\n    tls: { mode: ISTIO_MUTUAL }') + pa('default', '  mtls: { mode: DISABLE }'));
    expect(digest(m)).toEqual(['IST0113 DestinationRule/default/ratings spec.trafficPolicy.tls.mode']);
    expect(m[0]!.text).toBe('DestinationRule default/ratings sends Istio mutual TLS (ISTIO_MUTUAL) to ratings, but PeerAuthentication default/default sets mTLS DISABLE for workload default/ratings-v1-0');
  });

  it('reports plaintext towards a mesh-wide STRICT policy, also without a registry', () => {
    const yaml = dr('plain', '  host: details\n  trafficPolicy:\n    tls: { mode: DISABLE }') + pa('default', '  mtls: { mode: STRICT }', 'istio-system');
    expect(digest(run(mtlsConflictAnalyzer, yaml))).toEqual(['IST0113 DestinationRule/default/plain spec.trafficPolicy.tls.mode']);
    const m = run(mtlsConflictAnalyzer, yaml, {});
    expect(m.map((x) => x.text)).toEqual(['DestinationRule default/plain sends plaintext (DISABLE) to details, but PeerAuthentication istio-system/default sets mTLS STRICT for namespace default']);
  });

  it('uses the workload policy’s port-level mode, and lets a namespace policy override the mesh one', () => {
    const portLevel = pa('ratings', '  selector: { matchLabels: { app: ratings } }\n  mtls: { mode: STRICT }\n  portLevelMtls:\n    9080: { mode: DISABLE }');
    const m = run(mtlsConflictAnalyzer, dr('ratings', '  host: ratings\n  trafficPolicy:\n    portLevelSettings:\n    - port: { number: 9080 }\n      tls: { mode: ISTIO_MUTUAL }') + portLevel);
    expect(digest(m)).toEqual(['IST0113 DestinationRule/default/ratings spec.trafficPolicy.portLevelSettings[0].tls.mode']);
    const fine = dr('plain', '  host: details\n  trafficPolicy:\n    tls: { mode: DISABLE }') + pa('mesh', '  mtls: { mode: STRICT }', 'istio-system') + pa('ns', '  mtls: { mode: PERMISSIVE }');
    expect(run(mtlsConflictAnalyzer, fine)).toEqual([]);
    expect(run(mtlsConflictAnalyzer, dr('ok', '  host: reviews\n  trafficPolicy:\n    tls: { mode: ISTIO_MUTUAL }') + pa('strict', '  mtls: { mode: STRICT }'))).toEqual([]);
  });
});

describe('destinationrule.MergeAnalyzer', () => {
  it('warns when rules for one host are merged and part of one is ignored (SXT1004)', () => {
    const yaml =
      dr('reviews-lb', '  host: reviews\n  trafficPolicy: { loadBalancer: { simple: RANDOM } }\n  subsets:\n  - { name: v1, labels: { version: v1 } }') +
      dr('reviews-tls', '  host: reviews.default.svc.cluster.local\n  trafficPolicy: { tls: { mode: ISTIO_MUTUAL } }\n  subsets:\n  - { name: v1, labels: { version: v1 } }\n  - { name: v2, labels: { version: v2 } }');
    const m = run(mergedDestinationRuleAnalyzer, yaml);
    expect(digest(m)).toEqual(['SXT1004 DestinationRule/default/reviews-tls spec.subsets[0]', 'SXT1004 DestinationRule/default/reviews-tls spec.trafficPolicy']);
  });

  it('is quiet for rules in different namespaces or with workload selectors, and for complementary subsets', () => {
    const yaml =
      dr('a', '  host: reviews\n  subsets:\n  - { name: v1, labels: { version: v1 } }') +
      dr('b', '  host: reviews\n  trafficPolicy: { loadBalancer: { simple: RANDOM } }\n  subsets:\n  - { name: v2, labels: { version: v2 } }') +
      dr('c', '  host: reviews.default.svc.cluster.local\n  trafficPolicy: { loadBalancer: { simple: RANDOM } }', 'other');
    expect(run(mergedDestinationRuleAnalyzer, yaml)).toEqual([]);
  });
});
