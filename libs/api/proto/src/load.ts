// Loads service definitions with @grpc/proto-loader. Options match the
// generated types in ./generated (longs as strings, enums as strings,
// defaults filled, oneofs named). proto-loader is required on first use:
// the proxy only needs it to talk to Citadel (its ADS client is built from
// the Envoy Root, libs/proxy/xds-client/src/ads-client.ts).
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { envoyIncludeDirs, sextantProtoDir } from './proto-paths';

const require = createRequire(import.meta.url);
let loader: typeof ProtoLoader | undefined;
const protoLoader = (): typeof ProtoLoader => (loader ??= require('@grpc/proto-loader') as typeof ProtoLoader);

export const LOADER_OPTIONS: ProtoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  json: true,
};

const cache = new Map<string, grpc.GrpcObject>();

function load(files: string[], includeDirs: string[]): grpc.GrpcObject {
  const key = files.join('|');
  let pkg = cache.get(key);
  if (!pkg) {
    const def = protoLoader().loadSync(files, { ...LOADER_OPTIONS, includeDirs });
    pkg = grpc.loadPackageDefinition(def);
    cache.set(key, pkg);
  }
  return pkg;
}

function lookup(pkg: grpc.GrpcObject, path: string): grpc.ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`service ${path} not found in loaded protos`);
  return node as grpc.ServiceClientConstructor;
}

/** Galley's config API. */
export function configServiceDefinition(): grpc.ServiceClientConstructor {
  return lookup(load(['sextant/galley/v1/config.proto'], [sextantProtoDir()]), 'sextant.galley.v1.ConfigService');
}

/** Citadel's signing API (Istio's shape). */
export function certificateServiceDefinition(): grpc.ServiceClientConstructor {
  return lookup(load(['istio/v1/auth/ca.proto'], [sextantProtoDir()]), 'istio.v1.auth.IstioCertificateService');
}

/** Envoy's ADS, from @grpc/grpc-js-xds's deps/. */
export function adsServiceDefinition(): grpc.ServiceClientConstructor {
  return lookup(
    load(['envoy/service/discovery/v3/ads.proto'], envoyIncludeDirs()),
    'envoy.service.discovery.v3.AggregatedDiscoveryService',
  );
}

/** Loads any of Envoy's protos (for decoding Any-typed resources). */
export function loadEnvoyProtos(files: string[]): ProtoLoader.PackageDefinition {
  return protoLoader().loadSync(files, { ...LOADER_OPTIONS, includeDirs: envoyIncludeDirs() });
}
