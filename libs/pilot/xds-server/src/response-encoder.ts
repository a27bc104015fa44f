// A faster DiscoveryResponse serializer for SotW streams. A push sends the
// same resources to many proxies; the generic serializer re-encodes every
// Any into a fresh protobuf writer for each of them (two copies and a
// protobuf walk per response). Here each packed Any's wire bytes are made
// once (cached per Any object) and a response is one concatenation. The
// bytes are identical to the generic serializer's (same fields, same
// order); anything it does not recognise goes to the generic one.
import { isPackedAny, type PackedAny } from '@sextant/proto';

const encoded = new WeakMap<PackedAny, Buffer>();

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** A length-delimited field: tag, length, bytes. */
function field(fieldNumber: number, bytes: Buffer): Buffer[] {
  return [Buffer.from([(fieldNumber << 3) | 2]), varint(bytes.length), bytes];
}

/** `resources` entry (field 2): the Any as a nested message, cached per Any object. */
function resourceField(any: PackedAny): Buffer {
  let b = encoded.get(any);
  if (!b) {
    const inner = Buffer.concat([...field(1, Buffer.from(any.type_url, 'utf8')), ...field(2, Buffer.from(any.value.buffer, any.value.byteOffset, any.value.length))]);
    b = Buffer.concat(field(2, inner));
    encoded.set(any, b);
  }
  return b;
}

const KNOWN = new Set(['versionInfo', 'resources', 'typeUrl', 'nonce', 'controlPlane']);

/** Encodes a SotW DiscoveryResponse, or returns undefined when it is not in the shape this handles. */
export function encodeDiscoveryResponse(res: unknown): Buffer | undefined {
  if (res instanceof EncodedResponse) return res.bytes();
  if (!res || typeof res !== 'object') return undefined;
  const r = res as { versionInfo?: unknown; resources?: unknown; typeUrl?: unknown; nonce?: unknown; controlPlane?: unknown };
  for (const k of Object.keys(r)) if (!KNOWN.has(k)) return undefined;
  if (r.resources !== undefined && (!Array.isArray(r.resources) || !r.resources.every(isPackedAny))) return undefined;
  // Like the generic encoder: a string field is written when set, even when empty.
  const strings: [number, unknown][] = [
    [1, r.versionInfo],
    [4, r.typeUrl],
    [5, r.nonce],
  ];
  for (const [, v] of strings) if (v !== undefined && v !== null && typeof v !== 'string') return undefined;
  const cp = r.controlPlane as { identifier?: unknown } | undefined | null;
  if (cp !== undefined && cp !== null) {
    if (typeof cp !== 'object' || Object.keys(cp).some((k) => k !== 'identifier')) return undefined;
    if (cp.identifier !== undefined && cp.identifier !== null && typeof cp.identifier !== 'string') return undefined;
  }
  const text = (n: number, v: unknown) => (typeof v === 'string' ? field(n, Buffer.from(v, 'utf8')) : []);
  const parts: Buffer[] = [...text(1, r.versionInfo)];
  for (const any of (r.resources as PackedAny[] | undefined) ?? []) parts.push(resourceField(any));
  parts.push(...text(4, r.typeUrl), ...text(5, r.nonce));
  if (cp !== undefined && cp !== null) parts.push(...field(6, Buffer.concat(text(1, cp.identifier))));
  return Buffer.concat(parts);
}

/**
 * A SotW response in two parts: `body` (version_info, resources, type_url),
 * shared by every stream that is sent the same resources, and `tail`
 * (nonce, control_plane), this response's own. Field order and bytes are
 * the generic serializer's. Written without copying the body where the
 * gRPC call allows it (see framed-writes.ts); otherwise serialized as
 * body + tail.
 */
export class EncodedResponse {
  constructor(
    readonly body: Buffer,
    readonly tail: Buffer,
    readonly versionInfo: string,
    readonly typeUrl: string,
    readonly nonce: string,
  ) {}

  get length(): number {
    return this.body.length + this.tail.length;
  }

  bytes(): Buffer {
    return Buffer.concat([this.body, this.tail]);
  }
}

/** version_info, resources and type_url of a response, encoded once for every stream that sends them. */
export function encodeResponseBody(versionInfo: string, resources: readonly PackedAny[], typeUrl: string): Buffer {
  const parts: Buffer[] = [...field(1, Buffer.from(versionInfo, 'utf8'))];
  for (const any of resources) parts.push(resourceField(any));
  parts.push(...field(4, Buffer.from(typeUrl, 'utf8')));
  return Buffer.concat(parts);
}

/** nonce and (when set) control_plane of one response. */
export function encodeResponseTail(nonce: string, controlPlaneId?: string): Buffer {
  const parts = field(5, Buffer.from(nonce, 'utf8'));
  if (controlPlaneId !== undefined) parts.push(...field(6, Buffer.concat(field(1, Buffer.from(controlPlaneId, 'utf8')))));
  return Buffer.concat(parts);
}

// ---- Delta responses ------------------------------------------------------
// A DeltaDiscoveryResponse: system_version_info (1), resources (2: Resource
// { version 1, resource 2 (Any), name 3 }), type_url (4), nonce (5),
// removed_resources (6), control_plane (7). A stream's first response of a
// type holds every resource (1200 clusters, 1000 virtual hosts in a
// 1000-service mesh) and is the same for every stream of a cache key, so the
// encoded Resource entries are cached per resource and whole bodies per
// (source, names); a response is that shared body plus its own tail.

const deltaEntries = new WeakMap<object, { name: string; version: string; bytes: Buffer }>();

/** A `resources` entry (field 2) of a delta response, cached per (resource object, name, version). */
function deltaResourceField(key: object, name: string, version: string, any: PackedAny): Buffer {
  const known = deltaEntries.get(key);
  if (known && known.name === name && known.version === version) return known.bytes;
  const inner = Buffer.concat([
    ...field(1, Buffer.from(version, 'utf8')),
    ...field(2, Buffer.concat([...field(1, Buffer.from(any.type_url, 'utf8')), ...field(2, Buffer.from(any.value.buffer, any.value.byteOffset, any.value.length))])),
    ...field(3, Buffer.from(name, 'utf8')),
  ]);
  const bytes = Buffer.concat(field(2, inner));
  deltaEntries.set(key, { name, version, bytes });
  return bytes;
}

export interface DeltaResourceInput {
  /** Identity for the cache (the VersionedResource). */
  key: object;
  name: string;
  version: string;
  any: PackedAny;
}

/** system_version_info, resources and type_url of a delta response. */
export function encodeDeltaBody(systemVersion: string, resources: readonly DeltaResourceInput[], typeUrl: string): Buffer {
  const parts: Buffer[] = [...field(1, Buffer.from(systemVersion, 'utf8'))];
  for (const r of resources) parts.push(deltaResourceField(r.key, r.name, r.version, r.any));
  parts.push(...field(4, Buffer.from(typeUrl, 'utf8')));
  return Buffer.concat(parts);
}

/** nonce, removed_resources and (when set) control_plane of one delta response. */
export function encodeDeltaTail(nonce: string, removed: readonly string[], controlPlaneId?: string): Buffer {
  const parts = field(5, Buffer.from(nonce, 'utf8'));
  for (const n of removed) parts.push(...field(6, Buffer.from(n, 'utf8')));
  if (controlPlaneId !== undefined) parts.push(...field(7, Buffer.concat(field(1, Buffer.from(controlPlaneId, 'utf8')))));
  return Buffer.concat(parts);
}
