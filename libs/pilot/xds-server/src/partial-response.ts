// Partial SotW responses. In the state-of-the-world protocol only LDS and
// CDS responses are a full state (a name left out is a deletion); for the
// other types (RDS, EDS, SDS) a name left out of a response is simply not
// updated, so a push need only carry the resources the client lacks: the
// new and the changed ones (Istio's "incremental EDS" does the same). An
// endpoint change of one service then sends one ClusterLoadAssignment, not
// every one the proxy subscribes to.
//
// Streams that had the same resources and move to the same ones share the
// same maps (snapshots and selections are shared), so the change set is
// computed once per (before, after, re-send names) and is one shared map:
// its encoded response body is then shared as well.
import { TYPE_URL } from '@sextant/proto';
import { resourceRefs } from './consistency';
import type { TypeResources, VersionedResource } from './snapshot';

const NO_NAMES: ReadonlySet<string> = new Set();

const changeSets = new WeakMap<TypeResources, WeakMap<TypeResources, WeakMap<ReadonlySet<string>, TypeResources>>>();

/**
 * The resources of `after` that a client holding `before` must be sent: the
 * names it lacks, the ones at another version, and the `resend` names that
 * `after` holds (clusters that Envoy re-warms on a new EDS response).
 * Returns `after` itself when that is all of it. Cached per (before, after, resend).
 */
export function changedResources(before: TypeResources, after: TypeResources, resend: ReadonlySet<string> = NO_NAMES): TypeResources {
  let byAfter = changeSets.get(before);
  let byResend = byAfter?.get(after);
  const hit = byResend?.get(resend);
  if (hit) return hit;
  const out = new Map<string, VersionedResource>();
  for (const [name, entry] of after) {
    if (before.get(name)?.version !== entry.version || resend.has(name)) out.set(name, entry);
  }
  const result: TypeResources = out.size === after.size ? after : out;
  if (!byAfter) {
    byAfter = new WeakMap();
    changeSets.set(before, byAfter);
  }
  if (!byResend) {
    byResend = new WeakMap();
    byAfter.set(after, byResend);
  }
  byResend.set(resend, result);
  return result;
}

export interface ClusterEndpointChanges {
  /** EDS names of the EDS clusters that are new or changed. */
  readonly changed: ReadonlySet<string>;
  /** EDS names of the EDS clusters that are new. */
  readonly added: ReadonlySet<string>;
}

const clusterChanges = new WeakMap<TypeResources, WeakMap<TypeResources, ClusterEndpointChanges>>();

/** The endpoints (EDS names) of the clusters in `now` that are new or changed since `before`; shared per (now, before). */
export function clusterEndpointChanges(now: TypeResources, before: TypeResources): ClusterEndpointChanges {
  let memo = clusterChanges.get(now);
  const hit = memo?.get(before);
  if (hit) return hit;
  const changed = new Set<string>();
  const added = new Set<string>();
  for (const [name, entry] of now) {
    const prior = before.get(name);
    if (prior && prior.version === entry.version) continue;
    for (const e of resourceRefs(TYPE_URL.cluster, name, entry).endpoints) {
      changed.add(e);
      if (!prior) added.add(e);
    }
  }
  const result = { changed: changed.size > 0 ? changed : NO_NAMES, added: added.size > 0 ? added : NO_NAMES };
  if (!memo) {
    memo = new WeakMap();
    clusterChanges.set(now, memo);
  }
  memo.set(before, result);
  return result;
}
