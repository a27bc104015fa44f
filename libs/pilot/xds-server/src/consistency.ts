// Consistency check before sending: references between resources must
// resolve inside the proxy's own snapshot, or Envoy blackholes traffic
// (routes are not warmed) or waits forever (warming listeners and clusters).
//   - a route (RDS, a VHDS virtual host, or inline in a listener) names only clusters that exist;
//   - a listener's RDS names exist; a TCP proxy names clusters that exist;
//   - an EDS cluster has its ClusterLoadAssignment (possibly empty).
// Each rule is checked against the snapshot as generated, and a failing
// resource is dropped alone: nothing that refers to it is dropped with it.
import { EXTENSION_TYPE_URL, type JsonAny, type PackedAny, TYPE_URL, decodeMessage, isJsonAny, isPackedAny, unpackAny } from '@sextant/proto';
import { errorMessage } from '@sextant/util';
import { type Snapshot, type TypeResources, type VersionedResource, packResource } from './snapshot';

export interface ConsistencyError {
  typeUrl: string;
  name: string;
  version: string;
  reason: string;
}

export interface ResourceRefs {
  clusters: string[];
  routes: string[];
  endpoints: string[];
}

export interface CheckedSnapshot {
  snapshot: Snapshot;
  errors: ConsistencyError[];
}

type Obj = Record<string, unknown>;
const asObj = (x: unknown): Obj | undefined => (typeof x === 'object' && x !== null ? (x as Obj) : undefined);
const asList = (x: unknown): Obj[] => (Array.isArray(x) ? x.map(asObj).filter((o): o is Obj => o !== undefined) : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** A plain object for a resource or a nested Any, decoding packed bytes. */
function plain(typeUrl: string, value: object | PackedAny): Obj {
  return isPackedAny(value) ? decodeMessage<Obj>(typeUrl, value.value) : (value as Obj);
}

/** A nested typed config's type URL and fields, whichever form it is in. */
function typedConfig(any: unknown): { typeUrl: string; message: Obj } | undefined {
  if (isJsonAny(any)) {
    const { '@type': typeUrl, ...fields } = any as JsonAny;
    return { typeUrl, message: fields };
  }
  if (isPackedAny(any)) {
    if (any.type_url !== EXTENSION_TYPE_URL.httpConnectionManager && any.type_url !== EXTENSION_TYPE_URL.tcpProxy) return undefined;
    return unpackAny<Obj>(any);
  }
  return undefined;
}

function routeConfigClusters(rc: Obj | undefined, into: Set<string>): void {
  for (const vh of asList(rc?.['virtualHosts'])) {
    for (const route of asList(vh['routes'])) {
      const action = asObj(route['route']);
      if (!action) continue;
      const c = str(action['cluster']);
      if (c) into.add(c);
      for (const wc of asList(asObj(action['weightedClusters'])?.['clusters'])) {
        const n = str(wc['name']);
        if (n) into.add(n);
      }
      for (const m of asList(action['requestMirrorPolicies'])) {
        const n = str(m['cluster']);
        if (n) into.add(n);
      }
    }
  }
}

function listenerRefs(l: Obj, clusters: Set<string>, routes: Set<string>): void {
  const configs: unknown[] = [asObj(l['apiListener'])?.['apiListener']];
  const chains = [...asList(l['filterChains']), ...(asObj(l['defaultFilterChain']) ? [asObj(l['defaultFilterChain'])!] : [])];
  for (const chain of chains) for (const f of asList(chain['filters'])) configs.push(f['typedConfig']);
  for (const c of configs) {
    const tc = typedConfig(c);
    if (!tc) continue;
    if (tc.typeUrl === EXTENSION_TYPE_URL.httpConnectionManager) {
      const rds = str(asObj(tc.message['rds'])?.['routeConfigName']);
      if (rds) routes.add(rds);
      routeConfigClusters(asObj(tc.message['routeConfig']), clusters);
    } else if (tc.typeUrl === EXTENSION_TYPE_URL.tcpProxy) {
      const c1 = str(tc.message['cluster']);
      if (c1) clusters.add(c1);
      for (const wc of asList(asObj(tc.message['weightedClusters'])?.['clusters'])) {
        const n = str(wc['name']);
        if (n) clusters.add(n);
      }
    }
  }
}

function isEds(cluster: Obj): boolean {
  return cluster['type'] === 'EDS' || cluster['type'] === 3;
}

const refsCache = new WeakMap<object, ResourceRefs>();

/** What a resource refers to (cached per resource object). */
export function resourceRefs(typeUrl: string, name: string, entry: VersionedResource): ResourceRefs {
  let refs = refsCache.get(entry.resource);
  if (refs) return refs;
  const clusters = new Set<string>();
  const routes = new Set<string>();
  const endpoints: string[] = [];
  if (typeUrl === TYPE_URL.cluster) {
    const c = plain(typeUrl, entry.resource);
    if (isEds(c)) endpoints.push(str(asObj(c['edsClusterConfig'])?.['serviceName']) ?? name);
  } else if (typeUrl === TYPE_URL.route) {
    routeConfigClusters(plain(typeUrl, entry.resource), clusters);
  } else if (typeUrl === TYPE_URL.virtualHost) {
    routeConfigClusters({ virtualHosts: [plain(typeUrl, entry.resource)] }, clusters);
  } else if (typeUrl === TYPE_URL.listener) {
    listenerRefs(plain(typeUrl, entry.resource), clusters, routes);
  }
  refs = { clusters: [...clusters], routes: [...routes], endpoints };
  refsCache.set(entry.resource, refs);
  return refs;
}

function problemsOf(snapshot: Snapshot, typeUrl: string, name: string, entry: VersionedResource, strict: boolean): string[] {
  try {
    packResource(typeUrl, entry, strict);
    const refs = resourceRefs(typeUrl, name, entry);
    const has = (t: string, n: string) => snapshot.get(t)?.has(n) ?? false;
    const problems: string[] = [];
    const missingClusters = refs.clusters.filter((c) => !has(TYPE_URL.cluster, c));
    if (missingClusters.length) problems.push(`refers to clusters not in the snapshot: ${missingClusters.join(', ')}`);
    const missingRoutes = refs.routes.filter((r) => !has(TYPE_URL.route, r));
    if (missingRoutes.length) problems.push(`refers to RDS route configurations not in the snapshot: ${missingRoutes.join(', ')}`);
    const missingEndpoints = refs.endpoints.filter((e) => !has(TYPE_URL.endpoint, e));
    if (missingEndpoints.length) problems.push(`EDS cluster without a ClusterLoadAssignment: ${missingEndpoints.join(', ')}`);
    return problems;
  } catch (err) {
    return [`cannot be encoded: ${errorMessage(err)}`];
  }
}

const checked = new WeakMap<Snapshot, CheckedSnapshot>();

/**
 * Drops resources whose references do not resolve (and resources that do not
 * encode). Returns the same snapshot object when everything is consistent;
 * results are cached per snapshot object, so proxies sharing a snapshot share
 * the check and its output.
 */
export function checkConsistency(snapshot: Snapshot, options: { strict?: boolean } = {}): CheckedSnapshot {
  const cached = checked.get(snapshot);
  if (cached) return cached;
  const errors: ConsistencyError[] = [];
  const replaced = new Map<string, TypeResources>();
  for (const [typeUrl, resources] of snapshot) {
    let kept: Map<string, VersionedResource> | undefined;
    for (const [name, entry] of resources) {
      const problems = problemsOf(snapshot, typeUrl, name, entry, options.strict ?? true);
      if (problems.length === 0) continue;
      kept ??= new Map(resources);
      kept.delete(name);
      errors.push({ typeUrl, name, version: entry.version, reason: problems.join('; ') });
    }
    if (kept) replaced.set(typeUrl, kept);
  }
  let result: CheckedSnapshot;
  if (replaced.size === 0) result = { snapshot, errors };
  else {
    const out = new Map(snapshot);
    for (const [t, r] of replaced) out.set(t, r);
    result = { snapshot: out, errors };
  }
  checked.set(snapshot, result);
  return result;
}
