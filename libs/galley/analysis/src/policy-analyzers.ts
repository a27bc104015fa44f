// Policies that select workloads: AuthorizationPolicy, PeerAuthentication,
// RequestAuthentication and Sidecar. A selector that selects nothing is a
// policy that does nothing; Sidecars must not overlap.
import type { IstioKind } from '@sextant/config-model';
import type { Analyzer } from './analyzer';
import { fullName, type AnalysisContext } from './context';
import type { LocatedResource } from './input';
import { selectorString } from './registry-index';

type SelectorPolicyKind = 'AuthorizationPolicy' | 'PeerAuthentication' | 'RequestAuthentication';

interface PolicySpec {
  selector?: { matchLabels?: Record<string, string> };
  targetRef?: unknown;
  targetRefs?: unknown[];
}

/** Reports a selector that selects no workload; root-namespace policies select across the mesh. */
function checkSelector(ctx: AnalysisContext, located: LocatedResource, spec: PolicySpec, namespaceWide: boolean): void {
  if (spec.targetRef || (spec.targetRefs ?? []).length) return; // attached to a gateway or service, not selecting workloads
  const ns = located.resource.metadata.namespace ?? '';
  const labels = spec.selector?.matchLabels ?? {};
  const meshWide = ns === ctx.options.rootNamespace;
  if (!Object.keys(labels).length) {
    if (namespaceWide && !meshWide && !ctx.registry.workloads(ns).length) {
      ctx.report('IST0127', located, `No workloads in namespace ${ns} for this namespace-wide ${located.resource.kind} to apply to`);
    }
    return;
  }
  if (ctx.registry.selected(labels, meshWide ? undefined : ns).length) return;
  const where = meshWide ? 'in the mesh' : `in namespace ${ns}`;
  ctx.report('IST0127', located, `No matching workloads ${where} for this resource with the following labels: ${selectorString(labels)}`, 'spec.selector.matchLabels');
}

function selectorAnalyzer(kind: SelectorPolicyKind, name: string, namespaceWide: boolean): Analyzer {
  return {
    name,
    description: `Checks that the workload selector of each ${kind} selects at least one workload${namespaceWide ? ', and that a namespace-wide one has workloads to apply to' : ''}`,
    inputs: [kind as IstioKind, 'WorkloadEntry', 'workloads'],
    codes: ['IST0127'],
    analyze(ctx) {
      for (const located of ctx.of(kind)) checkSelector(ctx, located, located.resource.spec as PolicySpec, namespaceWide);
    },
  };
}

export const authorizationPolicyAnalyzer = selectorAnalyzer('AuthorizationPolicy', 'auth.AuthorizationPoliciesAnalyzer', true);
export const peerAuthenticationSelectorAnalyzer = selectorAnalyzer('PeerAuthentication', 'peerauthentication.SelectorAnalyzer', false);
export const requestAuthenticationSelectorAnalyzer = selectorAnalyzer('RequestAuthentication', 'requestauthentication.SelectorAnalyzer', false);

export const sidecarSelectorAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  description: 'Checks that each Sidecar with a workload selector selects a workload, and that no workload is selected by two Sidecars',
  inputs: ['Sidecar', 'WorkloadEntry', 'workloads'],
  codes: ['IST0101', 'IST0110'],
  analyze(ctx) {
    const sidecarsOf = new Map<string, LocatedResource[]>();
    for (const located of ctx.of('Sidecar')) {
      const labels = located.resource.spec.workloadSelector?.labels ?? {};
      if (!Object.keys(labels).length) continue;
      const ns = located.resource.metadata.namespace ?? '';
      const selected = ctx.registry.selected(labels, ns);
      if (!selected.length) {
        ctx.report('IST0101', located, `Referenced selector not found: ${JSON.stringify(selectorString(labels))}`, 'spec.workloadSelector.labels');
        continue;
      }
      for (const w of selected) {
        const key = `${w.namespace}/${w.name}`;
        sidecarsOf.set(key, [...(sidecarsOf.get(key) ?? []), located]);
      }
    }
    const reported = new Set<LocatedResource>();
    for (const [workload, list] of sidecarsOf) {
      if (list.length < 2) continue;
      const names = list.map((l) => fullName(l.resource)).sort();
      for (const l of list) {
        if (reported.has(l)) continue;
        reported.add(l);
        ctx.report('IST0110', l, `Sidecars ${names.join(', ')} all select workload ${workload}; which one applies is undefined`, 'spec.workloadSelector');
      }
    }
  },
};

export const sidecarDefaultSelectorAnalyzer: Analyzer = {
  name: 'sidecar.DefaultSelectorAnalyzer',
  description: 'Checks that a namespace holds at most one Sidecar without a workload selector',
  inputs: ['Sidecar'],
  codes: ['IST0111'],
  analyze(ctx) {
    const byNs = new Map<string, LocatedResource[]>();
    for (const located of ctx.of('Sidecar')) {
      if (Object.keys(located.resource.spec.workloadSelector?.labels ?? {}).length) continue;
      const ns = located.resource.metadata.namespace ?? '';
      byNs.set(ns, [...(byNs.get(ns) ?? []), located]);
    }
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      const names = list.map((l) => fullName(l.resource)).sort();
      for (const l of list) ctx.report('IST0111', l, `Sidecars ${names.join(', ')} in namespace ${ns} have no workload selector; which one applies is undefined`);
    }
  },
};
