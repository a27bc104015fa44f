// Resource objects as JSON for debug pages: packed Anys are decoded into
// `{ "@type": url, ...fields }` (as Envoy's config_dump shows them), bytes
// become base64, everything else passes through.
import { isPackedAny, unpackAny } from '@sextant/proto';

export function toJson(value: unknown, depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (isPackedAny(value)) {
    try {
      const { typeUrl, message } = unpackAny(value);
      return { '@type': typeUrl, ...(toJson(message, depth + 1) as object) };
    } catch {
      return { '@type': value.type_url, value: Buffer.from(value.value).toString('base64') };
    }
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v, depth + 1);
  return out;
}
