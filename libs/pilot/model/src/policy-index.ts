// Sidecars, Gateways and security policies indexed for selection by a proxy's
// namespace and labels, Istio's way: a workload-selecting resource in the
// proxy's namespace, then the namespace-wide one, then the root namespace's.
import type { AuthorizationPolicy, Gateway, PeerAuthentication, RequestAuthentication, Sidecar } from '@sextant/config-model';
import { sortConfigs } from './config-order';
import { selectorMatches, type Labels } from './labels';

export function selectSidecar(sidecars: readonly Sidecar[], namespace: string, labels: Labels, rootNamespace: string): Sidecar | undefined {
  const inNs = sidecars.filter((s) => (s.metadata.namespace ?? 'default') === namespace);
  const selecting = inNs.find((s) => {
    const sel = s.spec.workloadSelector?.labels;
    return sel && Object.keys(sel).length > 0 && selectorMatches(sel, labels);
  });
  if (selecting) return selecting;
  const nsWide = inNs.find((s) => !s.spec.workloadSelector?.labels || Object.keys(s.spec.workloadSelector.labels).length === 0);
  if (nsWide) return nsWide;
  return sidecars.find(
    (s) => (s.metadata.namespace ?? 'default') === rootNamespace && (!s.spec.workloadSelector?.labels || Object.keys(s.spec.workloadSelector.labels).length === 0),
  );
}

/** Gateways (any namespace) whose selector matches a router's labels, sorted by namespace/name. */
export function selectGateways(gateways: readonly Gateway[], labels: Labels): Gateway[] {
  return gateways
    .filter((g) => selectorMatches(g.spec.selector ?? {}, labels))
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
}

type Selectable = PeerAuthentication | AuthorizationPolicy | RequestAuthentication;

function selectorOf(r: Selectable): Labels | undefined {
  return (r.spec as { selector?: { matchLabels?: Labels } }).selector?.matchLabels;
}

/** Policies that apply to a workload: root-namespace mesh-wide ones, then namespace ones, selectors checked. */
export function selectPolicies<R extends Selectable>(list: readonly R[], namespace: string, labels: Labels, rootNamespace: string): R[] {
  return sortConfigs(list).filter((r) => {
    const ns = r.metadata.namespace ?? 'default';
    if (ns !== namespace && ns !== rootNamespace) return false;
    const sel = selectorOf(r);
    // A root-namespace policy with a selector applies only to root-namespace workloads (Istio semantics).
    if (ns === rootNamespace && ns !== namespace && sel && Object.keys(sel).length > 0) return false;
    return selectorMatches(sel, labels);
  });
}

export interface SecurityPolicies {
  peerAuthentications: PeerAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  requestAuthentications: RequestAuthentication[];
}
