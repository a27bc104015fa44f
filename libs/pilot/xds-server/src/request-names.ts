// Resource names of SotW requests, decoded once per distinct list.
//
// Envoy repeats its whole EDS subscription in every ACK: in a full mesh of
// 1000 services each of 2000 sidecars sends 3000 cluster names per EDS
// response it ACKs. Decoding them into fresh strings and comparing them with
// the subscription was most of Pilot's CPU for an endpoint change (6 million
// strings and their garbage). The names are one contiguous run of field 3
// entries in the request's wire bytes; a run seen before (compared byte for
// byte) gets the array decoded the first time, so the rest of the request is
// decoded alone and the stream recognises its unchanged subscription by
// identity. A known run is found by comparing its bytes where the names start
// (no walk over its thousands of entries). Anything unusual (names not contiguous, malformed bytes) is
// decoded as usual.

/** Runs shorter than this are decoded as usual (cheap anyway). */
const MIN_RUN_BYTES = 256;
/** Distinct runs kept (one per distinct subscription: namespaces, proxy kinds). */
const MAX_RUNS = 64;

interface Run {
  bytes: Buffer;
  names: readonly string[];
}

function readVarint(buf: Buffer, pos: number): [number, number] | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= buf.length) return undefined;
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) return [value, pos];
    mul *= 128;
  }
  return undefined;
}

/** The end of the well-formed field at `pos` and its number and wire type, or undefined. */
function skipField(buf: Buffer, pos: number): { end: number; field: number; wire: number } | undefined {
  const tag = readVarint(buf, pos);
  if (!tag) return undefined;
  pos = tag[1];
  const wire = tag[0] & 7;
  if (wire === 0) {
    const v = readVarint(buf, pos);
    if (!v) return undefined;
    pos = v[1];
  } else if (wire === 1) pos += 8;
  else if (wire === 5) pos += 4;
  else if (wire === 2) {
    const len = readVarint(buf, pos);
    if (!len) return undefined;
    pos = len[1] + len[0];
  } else return undefined;
  return pos > buf.length ? undefined : { end: pos, field: Math.floor(tag[0] / 8), wire };
}

/** Where the first field-3 entry starts, walking the fields before it (version_info and node come first). */
function firstNameAt(buf: Buffer): number | undefined {
  let pos = 0;
  while (pos < buf.length) {
    const f = skipField(buf, pos);
    if (!f) return undefined;
    if (f.field === 3) return pos;
    pos = f.end;
  }
  return undefined;
}

/** Whether the well-formed fields from `pos` to the end include no field 3. */
function noNamesFrom(buf: Buffer, pos: number): boolean {
  while (pos < buf.length) {
    const f = skipField(buf, pos);
    if (!f || f.field === 3) return false;
    pos = f.end;
  }
  return true;
}

/** Where the field-3 entries (resource_names) are, when they are one contiguous run of well-formed fields. */
export function namesRun(buf: Buffer): { start: number; end: number } | undefined {
  let pos = 0;
  let start = -1;
  let end = -1;
  while (pos < buf.length) {
    const f = skipField(buf, pos);
    if (!f) return undefined;
    if (f.field === 3) {
      if (f.wire !== 2) return undefined;
      if (start < 0) start = pos;
      else if (pos !== end) return undefined;
      end = f.end;
    }
    pos = f.end;
  }
  return start < 0 ? undefined : { start, end };
}

/**
 * Wraps a DiscoveryRequest deserializer: equal name runs decode to the same
 * (frozen) array. The output is what `decode` gives for the same bytes.
 */
export function sharedNamesDeserializer<T extends { resourceNames: string[] }>(decode: (buf: Buffer) => T): (buf: Buffer) => T {
  const runs = new Map<number, Run[]>();
  const order: Run[] = [];
  const find = (bytes: Buffer) => runs.get(bytes.length)?.find((r) => r.bytes.equals(bytes));
  const remember = (run: Run) => {
    runs.set(run.bytes.length, [...(runs.get(run.bytes.length) ?? []), run]);
    order.push(run);
    if (order.length > MAX_RUNS) {
      const old = order.shift()!;
      const left = runs.get(old.bytes.length)!.filter((r) => r !== old);
      if (left.length > 0) runs.set(old.bytes.length, left);
      else runs.delete(old.bytes.length);
    }
  };
  /** A known run at `start`, compared byte for byte (no walk over its thousands of entries), followed by no other name. */
  const knownAt = (buf: Buffer, start: number): Run | undefined => {
    for (let i = order.length - 1; i >= 0; i--) {
      const run = order[i]!;
      const end = start + run.bytes.length;
      if (end <= buf.length && buf.compare(run.bytes, 0, run.bytes.length, start, end) === 0 && noNamesFrom(buf, end)) return run;
    }
    return undefined;
  };
  const withNames = (buf: Buffer, start: number, end: number, names: readonly string[]) => {
    const rest = decode(Buffer.concat([buf.subarray(0, start), buf.subarray(end)]));
    rest.resourceNames = names as string[];
    return rest;
  };
  return (buf) => {
    const first = buf.length >= MIN_RUN_BYTES ? firstNameAt(buf) : undefined;
    if (first === undefined) return decode(buf);
    const hit = knownAt(buf, first);
    if (hit) return withNames(buf, first, first + hit.bytes.length, hit.names);
    const at = namesRun(buf);
    if (!at || at.end - at.start < MIN_RUN_BYTES) return decode(buf);
    const bytes = buf.subarray(at.start, at.end);
    const known = find(bytes);
    if (known) return withNames(buf, at.start, at.end, known.names);
    const out = decode(buf);
    remember({ bytes: Buffer.from(bytes), names: Object.freeze(out.resourceNames) });
    return out;
  };
}
