// @grpc/grpc-js-xds's own resource validation (what a proxyless gRPC client
// runs on every resource it receives), called on our encoded output.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface DecodeResult {
  name: string;
  value?: unknown;
  error?: string;
}
interface ResourceType {
  decode(context: unknown, resource: { type_url: string; value: Buffer }): DecodeResult;
}

let types: Record<'listeners' | 'routes' | 'clusters' | 'endpoints', ResourceType> | undefined;

function load() {
  if (types) return types;
  (require('@grpc/grpc-js-xds') as { register(): void }).register();
  const get = (file: string, cls: string) => (require(`@grpc/grpc-js-xds/build/src/xds-resource-type/${file}`) as Record<string, { get(): ResourceType }>)[cls]!.get();
  types = {
    listeners: get('listener-resource-type.js', 'ListenerResourceType'),
    routes: get('route-config-resource-type.js', 'RouteConfigurationResourceType'),
    clusters: get('cluster-resource-type.js', 'ClusterResourceType'),
    endpoints: get('endpoint-resource-type.js', 'EndpointResourceType'),
  };
  return types;
}

const URLS = {
  listeners: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routes: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  clusters: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;

const CONTEXT = {
  server: { serverUri: 'localhost:15010', channelCredentials: { type: 'insecure' }, serverFeatures: [] },
  bootstrap: { xdsServers: [], node: { id: 'test' }, authorities: {}, clientDefaultListenerResourceNameTemplate: '%s', certificateProviders: { default: { pluginName: 'file_watcher', config: {} } } },
};

/** grpc-js-xds's verdict on one encoded resource: undefined when accepted, else its error text. */
export function grpcRejects(kind: keyof typeof URLS, bytes: Uint8Array): string | undefined {
  const result = load()[kind].decode(CONTEXT, { type_url: URLS[kind], value: Buffer.from(bytes) });
  return result.error;
}

/** What grpc-js-xds makes of one encoded resource (its internal update object), or throws its error. */
export function grpcDecode(kind: keyof typeof URLS, bytes: Uint8Array): unknown {
  const result = load()[kind].decode(CONTEXT, { type_url: URLS[kind], value: Buffer.from(bytes) });
  if (result.error) throw new Error(result.error);
  return result.value;
}
