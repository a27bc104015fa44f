// One entry per xDS resource type: its type URL, whether a proxy subscribes
// to it by wildcard, and its decoder. The map from type URL to decoder is
// built here and nowhere else.
import { decodeMessage, TYPE_URL } from '@sextant/proto';
import type { ClusterLoadAssignment__Output, Cluster__Output, Listener__Output, RouteConfiguration__Output, Secret__Output, VirtualHost__Output } from '@sextant/proto';
import type { ClusterConfig, LoadAssignment, SecretConfig } from './cluster-types';
import { decodeCluster } from './cluster-decoder';
import { anyTypeUrl, type AnyLike, type Decoded } from './decode-support';
import { decodeClusterLoadAssignment } from './endpoint-decoder';
import { decodeListener } from './listener-decoder';
import type { ListenerConfig } from './listener-types';
import { decodeRouteConfiguration, decodeVirtualHostResource } from './route-decoder';
import type { RouteConfig, VirtualHostConfig } from './route-types';
import { decodeSecret } from './secret-decoder';

/** vhost: VHDS virtual hosts (Delta only), named `<route configuration>/<host>`, merged into their route configuration. */
export type ResourceKind = 'listener' | 'route' | 'vhost' | 'cluster' | 'endpoint' | 'secret';

export interface ResourceValueMap {
  listener: ListenerConfig;
  route: RouteConfig;
  vhost: VirtualHostConfig;
  cluster: ClusterConfig;
  endpoint: LoadAssignment;
  secret: SecretConfig;
}

export interface ResourceType<K extends ResourceKind = ResourceKind> {
  kind: K;
  typeUrl: string;
  /** LDS and CDS: the proxy asks for everything; RDS, EDS and SDS: by name. */
  wildcard: boolean;
  /** Short name used in stats and logs (lds, rds, vhds, cds, eds, sds). */
  short: string;
  decodeBytes(bytes: Uint8Array): { name: string; result: Decoded<ResourceValueMap[K]> };
}

function type<K extends ResourceKind, M>(
  kind: K,
  typeUrl: string,
  wildcard: boolean,
  short: string,
  nameOf: (m: M) => string,
  decode: (m: M) => Decoded<ResourceValueMap[K]>,
): ResourceType<K> {
  return {
    kind,
    typeUrl,
    wildcard,
    short,
    decodeBytes(bytes) {
      const msg = decodeMessage<M>(typeUrl, bytes);
      return { name: nameOf(msg), result: decode(msg) };
    },
  };
}

export const RESOURCE_TYPES: { readonly [K in ResourceKind]: ResourceType<K> } = {
  cluster: type('cluster', TYPE_URL.cluster, true, 'cds', (m: Cluster__Output) => m.name, decodeCluster),
  endpoint: type('endpoint', TYPE_URL.endpoint, false, 'eds', (m: ClusterLoadAssignment__Output) => m.clusterName, decodeClusterLoadAssignment),
  listener: type('listener', TYPE_URL.listener, true, 'lds', (m: Listener__Output) => m.name, decodeListener),
  route: type('route', TYPE_URL.route, false, 'rds', (m: RouteConfiguration__Output) => m.name, decodeRouteConfiguration),
  vhost: type('vhost', TYPE_URL.virtualHost, false, 'vhds', (m: VirtualHost__Output) => m.name, decodeVirtualHostResource),
  secret: type('secret', TYPE_URL.secret, false, 'sds', (m: Secret__Output) => m.name, decodeSecret),
};

/** Subscription order on a new stream, as Envoy does it: clusters before listeners. */
export const KIND_ORDER: readonly ResourceKind[] = ['cluster', 'endpoint', 'listener', 'route', 'vhost', 'secret'];

export function typeForUrl(typeUrl: string): ResourceType | undefined {
  return KIND_ORDER.map((k) => RESOURCE_TYPES[k] as ResourceType).find((t) => t.typeUrl === typeUrl);
}

const WRAPPED_RESOURCE = 'type.googleapis.com/envoy.service.discovery.v3.Resource';

export interface RawResource {
  name: string;
  bytes: Uint8Array;
}

/**
 * The bytes of a resource inside an Any, unwrapping envoy.service.discovery.v3.Resource.
 * Returns an error string when the Any holds another type than expected.
 */
export function resourceBytes(any: AnyLike, expected: string): { bytes: Uint8Array; wrappedName?: string } | { error: string } {
  let url = anyTypeUrl(any);
  let bytes = any.value;
  let wrappedName: string | undefined;
  if (!(bytes instanceof Uint8Array)) return { error: `resource of type ${url || '(none)'} is not packed bytes` };
  if (url === WRAPPED_RESOURCE) {
    const inner = decodeMessage<{ name: string; resource: AnyLike | null }>(WRAPPED_RESOURCE, bytes);
    if (!inner.resource?.value) return { error: `wrapped resource ${inner.name} has no body` };
    wrappedName = inner.name;
    url = anyTypeUrl(inner.resource);
    bytes = inner.resource.value;
  }
  if (url !== expected) return { error: `resource type ${url} in a response for ${expected}` };
  return wrappedName === undefined ? { bytes } : { bytes, wrappedName };
}
