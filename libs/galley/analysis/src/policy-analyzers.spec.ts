import { describe, expect, it } from 'vitest';
import { analyze } from './all-analyzers';
import type { Analyzer } from './analyzer';
import {
  authorizationPolicyAnalyzer,
  peerAuthenticationSelectorAnalyzer,
  requestAuthenticationSelectorAnalyzer,
  sidecarDefaultSelectorAnalyzer,
  sidecarSelectorAnalyzer,
} from './policy-analyzers';
import { digest, resources, SAMPLES_REGISTRY } from './spec-helpers';

const run = (analyzer: Analyzer, yaml: string) => analyze({ resources: resources(yaml), ...SAMPLES_REGISTRY }, { analyzers: [analyzer] });

const policy = (kind: string, name: string, spec: string, namespace = 'default') => `
apiVersion: ${kind === 'Sidecar' ? 'networking.istio.io/v1' : 'security.istio.io/v1'}
kind: ${kind}
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
---`;

describe('auth.AuthorizationPoliciesAnalyzer', () => {
  it('warns about a selector that selects no workload in the namespace (IST0127)', () => {
    const m = run(authorizationPolicyAnalyzer, policy('AuthorizationPolicy', 'deny-typo', '  selector: { matchLabels: { app: ratingz } }\n  action: DENY\n  rules: [{}]'));
    expect(digest(m)).toEqual(['IST0127 AuthorizationPolicy/default/deny-typo spec.selector.matchLabels']);
    expect(m[0]).toMatchObject({ level: 'Warning', name: 'NoMatchingWorkloadsFound', text: 'No matching workloads in namespace default for this resource with the following labels: app=ratingz' });
  });

  it('selects across the mesh from the root namespace, and warns about a namespace-wide policy for an empty namespace', () => {
    const yaml =
      policy('AuthorizationPolicy', 'mesh-reviews', '  selector: { matchLabels: { app: reviews } }', 'istio-system') +
      policy('AuthorizationPolicy', 'allow-nothing', '  {}', 'empty') +
      policy('AuthorizationPolicy', 'ns-wide', '  action: ALLOW\n  rules: [{ from: [{ source: { namespaces: [default] } }] }]') +
      policy('AuthorizationPolicy', 'other-ns', '  selector: { matchLabels: { app: reviews } }', 'other');
    expect(digest(run(authorizationPolicyAnalyzer, yaml))).toEqual(['IST0127 AuthorizationPolicy/empty/allow-nothing', 'IST0127 AuthorizationPolicy/other/other-ns spec.selector.matchLabels']);
  });

  it('leaves policies attached with targetRefs alone', () => {
    expect(run(authorizationPolicyAnalyzer, policy('AuthorizationPolicy', 'gw', '  targetRefs: [{ kind: Gateway, group: gateway.networking.k8s.io, name: edge }]\n  action: DENY\n  rules: [{}]'))).toEqual([]);
  });
});

describe('PeerAuthentication and RequestAuthentication selectors', () => {
  it('warn when the selector selects nothing (IST0127), not for namespace-wide policies', () => {
    const pa = run(peerAuthenticationSelectorAnalyzer, policy('PeerAuthentication', 'strict-db', '  selector: { matchLabels: { app: mysql } }\n  mtls: { mode: STRICT }') + policy('PeerAuthentication', 'default', '  mtls: { mode: STRICT }', 'empty'));
    expect(digest(pa)).toEqual(['IST0127 PeerAuthentication/default/strict-db spec.selector.matchLabels']);
    const ra = run(requestAuthenticationSelectorAnalyzer, policy('RequestAuthentication', 'jwt', '  selector: { matchLabels: { app: productpage, version: v9 } }\n  jwtRules: [{ issuer: "https://issuer.example.com" }]'));
    expect(digest(ra)).toEqual(['IST0127 RequestAuthentication/default/jwt spec.selector.matchLabels']);
    expect(run(requestAuthenticationSelectorAnalyzer, policy('RequestAuthentication', 'jwt', '  selector: { matchLabels: { app: productpage } }\n  jwtRules: [{ issuer: "https://issuer.example.com" }]'))).toEqual([]);
  });
});

describe('sidecar analyzers', () => {
  it('report a workload selector that selects nothing (IST0101) and workloads selected twice (IST0110)', () => {
    const yaml =
      policy('Sidecar', 'typo', '  workloadSelector: { labels: { app: reviewz } }\n  egress: [{ hosts: ["./*"] }]') +
      policy('Sidecar', 'reviews', '  workloadSelector: { labels: { app: reviews } }\n  egress: [{ hosts: ["./*"] }]') +
      policy('Sidecar', 'reviews-v1', '  workloadSelector: { labels: { version: v1, app: reviews } }\n  egress: [{ hosts: ["./*"] }]');
    const m = run(sidecarSelectorAnalyzer, yaml);
    expect(digest(m)).toEqual(['IST0110 Sidecar/default/reviews spec.workloadSelector', 'IST0110 Sidecar/default/reviews-v1 spec.workloadSelector', 'IST0101 Sidecar/default/typo spec.workloadSelector.labels']);
    expect(m[0]!.text).toBe('Sidecars default/reviews, default/reviews-v1 all select workload default/reviews-v1-0; which one applies is undefined');
  });

  it('report two Sidecars without selector in one namespace (IST0111)', () => {
    const yaml = policy('Sidecar', 'a', '  egress: [{ hosts: ["./*"] }]') + policy('Sidecar', 'b', '  egress: [{ hosts: ["istio-system/*"] }]') + policy('Sidecar', 'c', '  egress: [{ hosts: ["./*"] }]', 'other');
    expect(digest(run(sidecarDefaultSelectorAnalyzer, yaml))).toEqual(['IST0111 Sidecar/default/a', 'IST0111 Sidecar/default/b']);
  });
});
