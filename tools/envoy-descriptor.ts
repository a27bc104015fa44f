// Writes the Envoy descriptor (libs/api/proto/src/envoy-descriptor.ts) the
// proxy loads instead of parsing .proto files: the resource protos plus every
// extension proto the xDS client's decoders unpack, parsed from
// @grpc/grpc-js-xds's deps/ as the proxy would at run time.
//   npx tsx --tsconfig tsconfig.base.json tools/envoy-descriptor.ts <bundle dir>
// (tools/build.mjs runs it for the proxy).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVOY_DESCRIPTOR_FILE, envoyDescriptor } from '@sextant/proto';
import { ensureExtensionProtos } from '@sextant/xds-client';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tools/envoy-descriptor.ts <bundle dir>');
ensureExtensionProtos();
const d = envoyDescriptor();
writeFileSync(join(dir, ENVOY_DESCRIPTOR_FILE), JSON.stringify(d));
console.log(`wrote ${join(dir, ENVOY_DESCRIPTOR_FILE)} (${d.files.length} files)`);
