import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import type { Analyzer, AnalyzeOptions } from './analyzer';
import { annotationAnalyzer, duplicateResourceAnalyzer, serviceEntryAddressAnalyzer } from './metadata-analyzers';
import { digest, resources } from './spec-helpers';

const run = (analyzer: Analyzer, yaml: string, options: AnalyzeOptions = {}) => analyze({ resources: resources(yaml, 'in.yaml') }, { ...options, analyzers: [analyzer] });

const se = (name: string, spec: string) => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${name} }
spec:
${spec}
---`;

describe('input.DuplicateResourceAnalyzer', () => {
  it('reports a resource defined twice on the later, analysed definition (SXT1001, Info)', () => {
    const doc = (weight: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews }
spec: { host: reviews${weight} }
---`;
    const m = run(duplicateResourceAnalyzer, doc('') + doc('.default.svc.cluster.local'));
    expect(m.map((x) => [x.code, x.level, x.origin?.index, x.text])).toEqual([['SXT1001', 'Info', 1, 'Also defined in in.yaml#0; this later definition replaces it, as applying the files in order would']]);
  });
});

describe('annotations.K8sAnalyzer', () => {
  it('reports unknown istio.io annotations (IST0108) and ones meant for other kinds (IST0107)', () => {
    const yaml = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  annotations:
    sidecar.istio.io/inject: "false"
    networking.istio.io/exportTo-typo: "."
    example.com/owner: team-a
    galley.istio.io/analyze-suppress: IST0999
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews } }] }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: dry
  annotations: { istio.io/dry-run: "true" }
spec: {}
---`;
    const m = run(annotationAnalyzer, yaml);
    expect(digest(m)).toEqual([
      'IST0107 VirtualService/default/reviews metadata.annotations[sidecar.istio.io/inject]',
      'IST0108 VirtualService/default/reviews metadata.annotations[networking.istio.io/exportTo-typo]',
    ]);
    expect(m.map((x) => x.text)).toEqual(['Misplaced annotation: sidecar.istio.io/inject applies to Pod, not to VirtualService', 'Unknown annotation: networking.istio.io/exportTo-typo']);
  });
});

describe('serviceentry.ProtocolAddressesAnalyzer', () => {
  it('warns about TCP ports without addresses when no address can be allocated (IST0134)', () => {
    const yaml =
      se('none', '  hosts: [db.example.com]\n  ports: [{ number: 5432, name: tcp, protocol: TCP }, { number: 80, name: http, protocol: HTTP }]\n  resolution: NONE') +
      se('wild', '  hosts: ["*.example.org"]\n  ports: [{ number: 6379, name: redis }]\n  resolution: NONE');
    const m = run(serviceEntryAddressAnalyzer, yaml);
    expect(digest(m)).toEqual(['IST0134 ServiceEntry/default/none spec.ports[0]', 'IST0134 ServiceEntry/default/wild spec.ports[0]']);
    expect(m[0]!.text).toContain('resolution NONE gets no address');
  });

  it('trusts address allocation for resolvable hosts unless it is turned off, and accepts explicit addresses', () => {
    const dns = se('dns', '  hosts: [db.example.com]\n  ports: [{ number: 5432, name: tcp, protocol: TCP }]\n  resolution: DNS');
    expect(run(serviceEntryAddressAnalyzer, dns)).toEqual([]);
    expect(digest(run(serviceEntryAddressAnalyzer, dns, { autoAllocateAddresses: false }))).toEqual(['IST0134 ServiceEntry/default/dns spec.ports[0]']);
    const explicit = se('vip', '  hosts: [db.example.com]\n  addresses: [240.0.0.10]\n  ports: [{ number: 5432, name: tcp, protocol: TCP }]\n  resolution: NONE');
    expect(run(serviceEntryAddressAnalyzer, explicit)).toEqual([]);
  });
});
