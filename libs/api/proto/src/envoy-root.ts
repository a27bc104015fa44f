// A protobufjs Root holding Envoy's v3 resource messages (and the extension
// configs Sextant embeds in them), loaded from @grpc/grpc-js-xds's deps/ like
// every other Envoy proto. Field names are camelCase, matching the generated
// types in ./generated and the gRPC loader options in ./load.ts. Beside a
// bundle built with one (./envoy-descriptor.ts), the Root comes from the
// precomputed descriptor instead of a parse of the .proto files.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describeRoot, ENVOY_DESCRIPTOR_FILE, rootFromDescriptor, type EnvoyDescriptor } from './envoy-descriptor';
import { ProtoError } from './errors';
import { envoyIncludeDirs } from './proto-paths';

const require = createRequire(import.meta.url);

/** Envoy protos in the packing root: resource types plus the typed configs Pilot embeds. */
export const ENVOY_RESOURCE_PROTOS: readonly string[] = [
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
];

let root: protobuf.Root | undefined;
/** The .proto files asked for so far (the Root holds them and their imports). */
let requested: string[] = [];
/** With a Root built from a descriptor: the files it was generated from. */
let described: ReadonlySet<string> = new Set();

function newRoot(): protobuf.Root {
  const dirs = [...envoyIncludeDirs(), dirname(require.resolve('protobufjs/package.json'))];
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of dirs) {
      const full = join(dir, target);
      if (existsSync(full)) return full;
    }
    return target;
  };
  return r;
}

function parsedRoot(files: string[]): protobuf.Root {
  const r = newRoot();
  r.loadSync(files, { keepCase: false });
  r.resolveAll();
  return r;
}

/** The descriptor beside this module (a bundle's directory), if the build wrote one. */
function bundledDescriptor(): EnvoyDescriptor | undefined {
  const file = join(dirname(fileURLToPath(import.meta.url)), ENVOY_DESCRIPTOR_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EnvoyDescriptor) : undefined;
}

/** The shared Root (loaded once per process). */
export function envoyRoot(): protobuf.Root {
  if (!root) {
    const d = bundledDescriptor();
    if (d && ENVOY_RESOURCE_PROTOS.every((f) => d.files.includes(f))) {
      root = rootFromDescriptor(d);
      described = new Set(d.files);
      requested = [...d.files];
    } else {
      root = parsedRoot([...ENVOY_RESOURCE_PROTOS]);
      requested = [...ENVOY_RESOURCE_PROTOS];
    }
  }
  return root;
}

/** Loads more Envoy protos (e.g. another HTTP filter's config) into the shared Root. */
export function loadMoreEnvoyProtos(files: string[]): void {
  const r = envoyRoot();
  const missing = files.filter((f) => !described.has(f) && !r.files.some((loaded) => loaded.endsWith(f)));
  if (missing.length === 0) return;
  requested = [...requested, ...missing];
  if (described.size > 0) {
    // A descriptor Root cannot take .proto files (their imports would define its types twice): parse everything.
    root = parsedRoot(requested);
    described = new Set();
    return;
  }
  r.loadSync(missing, { keepCase: false });
  r.resolveAll();
}

/** The shared Root as a descriptor (what the build writes beside the proxy's bundle). */
export function envoyDescriptor(): EnvoyDescriptor {
  return describeRoot(envoyRoot(), requested);
}

/** "type.googleapis.com/a.b.C" -> "a.b.C". */
export function typeNameOf(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

/** The message type a type URL names; throws PROTO_TYPE_NOT_FOUND. */
export function envoyMessageType(typeUrl: string): protobuf.Type {
  const name = typeNameOf(typeUrl);
  const found = envoyRoot().lookup(name);
  if (!(found instanceof protobuf.Type)) {
    throw new ProtoError('PROTO_TYPE_NOT_FOUND', `no message type ${name} in the loaded Envoy protos (type URL ${typeUrl})`);
  }
  return found;
}
