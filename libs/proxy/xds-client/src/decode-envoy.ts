// Decodes an Envoy-shaped plain object (camelCase fields, nested Anys as
// {'@type', ...}) the same way a resource from the wire is decoded: encode
// to bytes, then the type's decoder. Used by fake config sources and tools.
import { encodeMessage } from '@sextant/proto';
import { ensureExtensionProtos, type Decoded } from './decode-support';
import { RESOURCE_TYPES, type ResourceKind, type ResourceValueMap } from './resource-types';

export function decodeEnvoyResource<K extends ResourceKind>(kind: K, object: object): { name: string; bytes: Uint8Array; result: Decoded<ResourceValueMap[K]> } {
  ensureExtensionProtos();
  const type = RESOURCE_TYPES[kind];
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage(type.typeUrl, object);
  } catch (err) {
    return { name: '', bytes: new Uint8Array(), result: { valid: false, errors: [(err as Error).message], warnings: [] } };
  }
  const { name, result } = type.decodeBytes(bytes) as { name: string; result: Decoded<ResourceValueMap[K]> };
  return { name, bytes, result };
}
