// The traffic policy in effect for one cluster, Istio's merge order: the
// subset's port-level settings, then the subset's policy, then the rule's
// port-level settings, then the rule's policy (each field on its own).
import type { DestinationRuleSpec, TrafficPolicy } from '@sextant/config-model';

type PolicyFields = Pick<TrafficPolicy, 'connectionPool' | 'loadBalancer' | 'outlierDetection' | 'tls' | 'proxyProtocol' | 'retryBudget' | 'tunnel'>;

const FIELDS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls', 'proxyProtocol', 'retryBudget', 'tunnel'] as const;

function atPort(policy: TrafficPolicy | undefined, port: number): PolicyFields {
  if (!policy) return {};
  const out: PolicyFields = {};
  for (const f of FIELDS) if (policy[f] !== undefined) (out as Record<string, unknown>)[f] = policy[f];
  const pls = policy.portLevelSettings?.find((p) => p.port?.number === port);
  if (pls) {
    for (const f of ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const) {
      if (pls[f] !== undefined) (out as Record<string, unknown>)[f] = pls[f];
    }
  }
  return out;
}

/** The effective policy for `port` (and `subset`, if any) of a DestinationRule. */
export function effectivePolicy(spec: DestinationRuleSpec | undefined, port: number, subset?: string): PolicyFields {
  const base = atPort(spec?.trafficPolicy, port);
  if (!subset) return base;
  const sub = spec?.subsets?.find((s) => s.name === subset);
  const over = atPort(sub?.trafficPolicy, port);
  return { ...base, ...over };
}

export type EffectivePolicy = PolicyFields;
