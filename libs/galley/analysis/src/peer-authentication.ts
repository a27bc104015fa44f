// The mTLS mode a workload accepts, as Istio computes it from
// PeerAuthentications: a workload-specific policy (port-level first), then
// the namespace's policy, then the mesh-wide policy in the root namespace,
// each `UNSET` deferring to the next; PERMISSIVE when none decides.
import type { PeerAuthentication } from '@sextant/config-model';
import type { AnalysisContext } from './context';
import type { LocatedResource } from './input';
import { selects } from './registry-index';

export interface PeerMode {
  mode: 'DISABLE' | 'PERMISSIVE' | 'STRICT';
  /** The policy that decided; absent for the built-in default. */
  policy?: LocatedResource<PeerAuthentication>;
  /** What the mode is for, e.g. `workload default/ratings-v1` or `namespace default`. */
  scope: string;
}

const hasSelector = (pa: PeerAuthentication) => Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;

const decided = (mode: string | undefined): mode is PeerMode['mode'] => mode === 'DISABLE' || mode === 'PERMISSIVE' || mode === 'STRICT';

export function effectivePeerMode(ctx: AnalysisContext, namespace: string, labels: Record<string, string> | undefined, port: number | undefined, scope: string): PeerMode {
  const policies = ctx.of('PeerAuthentication');
  if (labels) {
    const specific = policies.find((l) => (l.resource.metadata.namespace ?? '') === namespace && hasSelector(l.resource) && selects(l.resource.spec.selector?.matchLabels, labels));
    if (specific) {
      const portMode = port !== undefined ? specific.resource.spec.portLevelMtls?.[String(port)]?.mode : undefined;
      if (decided(portMode)) return { mode: portMode, policy: specific, scope };
      const mode = specific.resource.spec.mtls?.mode;
      if (decided(mode)) return { mode, policy: specific, scope };
    }
  }
  for (const ns of [namespace, ctx.options.rootNamespace]) {
    const wide = policies.find((l) => (l.resource.metadata.namespace ?? '') === ns && !hasSelector(l.resource));
    const mode = wide?.resource.spec.mtls?.mode;
    if (wide && decided(mode)) return { mode, policy: wide, scope };
  }
  return { mode: 'PERMISSIVE', scope };
}
