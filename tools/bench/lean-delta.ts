// A lean DeltaDiscoveryResponse reader for the simulated Delta sidecars
// (pilot-delta-clients.ts): type, nonce, removed names and each resource's
// name and version are read across the chunks the message arrived in; a
// resource's body is not copied, only handed out on demand (a view, or joined
// when it spans chunks), so a whole route table per stream costs no copy
// unless a stream is the first to read that (name, version).
import { Cursor } from './raw-ads-stream';

export interface DeltaResource {
  name: string;
  version: string;
  /** The resource's serialized message (Any.value); absent when the Resource carries none. */
  body?: () => Buffer;
}

export interface LeanDeltaResponse {
  typeUrl: string;
  nonce: string;
  resources: DeltaResource[];
  removed: string[];
}

/** Reads fields until `end`; `onField` may consume a length-delimited value, whatever it leaves is skipped. */
function fields(c: Cursor, end: number, onField: (field: number, len: number) => void): void {
  while (c.pos < end) {
    const tag = c.varint();
    const wire = tag & 7;
    if (wire === 0) c.varint();
    else if (wire === 1) c.skip(8);
    else if (wire === 5) c.skip(4);
    else if (wire === 2) {
      const len = c.varint();
      const stop = c.pos + len;
      onField(tag >>> 3, len);
      if (c.pos < stop) c.skip(stop - c.pos);
    } else throw new Error(`unexpected wire type ${wire} in a DeltaDiscoveryResponse`);
  }
}

/**
 * DeltaDiscoveryResponse: resources 2, type_url 4, nonce 5, removed_resources 6;
 * Resource: version 1, resource 2 (Any: value 2), name 3.
 */
export function leanDeltaResponse(chunks: Buffer[]): LeanDeltaResponse {
  const c = new Cursor(chunks);
  const total = chunks.reduce((n, b) => n + b.length, 0);
  const out: LeanDeltaResponse = { typeUrl: '', nonce: '', resources: [], removed: [] };
  fields(c, total, (field, len) => {
    if (field === 4) out.typeUrl = c.string(len);
    else if (field === 5) out.nonce = c.string(len);
    else if (field === 6) out.removed.push(c.string(len));
    else if (field === 2) {
      const r: DeltaResource = { name: '', version: '' };
      fields(c, c.pos + len, (f, l) => {
        if (f === 3) r.name = c.string(l);
        else if (f === 1) r.version = c.string(l);
        else if (f === 2)
          fields(c, c.pos + l, (af, al) => {
            if (af === 2) r.body = c.lazy(al);
          });
      });
      out.resources.push(r);
    }
  });
  return out;
}
