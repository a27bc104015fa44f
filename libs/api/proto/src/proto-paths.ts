// Where .proto files live. Envoy's v3 API (and its dependencies) ship inside
// the npm package @grpc/grpc-js-xds under deps/: we load them from there and
// never copy them. Our own protos live in libs/api/proto/protos and are
// copied next to every bundle by tools/build.mjs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export function xdsDepsDir(): string {
  return join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
}

/** Include directories for Envoy's protos, in the order grpc-js-xds uses. */
export function envoyIncludeDirs(): string[] {
  const deps = xdsDepsDir();
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

/** Our protos: next to the bundle (dist/.../protos) or in the source tree. */
export function sextantProtoDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'protos'), resolve(here, '../protos'), resolve(here, '../../libs/api/proto/protos')];
  const found = candidates.find((c) => existsSync(join(c, 'sextant')));
  if (!found) throw new Error(`cannot find Sextant's .proto files; looked in ${candidates.join(', ')}`);
  return found;
}
