// The storage layout of the `sextant_config` bucket: how a resource becomes a
// KV key and value and back. One entry per resource, keyed
// encodeKey([kind, namespace, name]); the value is the resource's JSON. The
// KV revision of the entry is the resource's metadata.resourceVersion (never
// stored inside the value: it is only known once the write succeeded).
import type { KvEntry } from '@nats-io/kv';
import type { ObjectMeta, Resource, ResourceRef } from '@sextant/config-model';
import { decodeKey, encodeKey } from '@sextant/util';

/** Annotation naming the batch a write belonged to: `<id>/<size>`, or `<id>/abort` on a rollback's restoring write. */
export const BATCH_ANNOTATION = 'sextant.io/batch';
/** Annotation naming who wrote this revision (ApplyRequest.field_manager). */
export const FIELD_MANAGER_ANNOTATION = 'sextant.io/field-manager';
/** Annotations only the store writes; ingest removes them from user input. */
export const STORE_ANNOTATIONS: readonly string[] = [BATCH_ANNOTATION, FIELD_MANAGER_ANNOTATION];

/** The stored document: a resource, plus deletionTimestamp on a tombstone. */
export interface StoredDocument extends Resource {
  metadata: ObjectMeta & { deletionTimestamp?: string };
}

export type BatchMark = { id: string; size: number; abort?: undefined } | { id: string; abort: true; size?: undefined };

/** One decoded KV entry of the bucket. */
export interface ConfigEntry {
  key: string;
  ref: ResourceRef;
  revision: number;
  created: Date;
  /** PUT: the resource exists at this revision. DEL: it was deleted (KV delete or purge, or a batch's tombstone). */
  operation: 'PUT' | 'DEL';
  /** The resource (resourceVersion set) for PUT; for a tombstone, its last content; absent for a KV delete. */
  resource?: Resource;
  batch?: BatchMark;
}

export function storageKey(ref: ResourceRef): string {
  return encodeKey([ref.kind, ref.namespace, ref.name]);
}

export function refFromKey(key: string): ResourceRef | undefined {
  let parts: string[];
  try {
    parts = decodeKey(key);
  } catch {
    return undefined;
  }
  if (parts.length !== 3) return undefined;
  return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
}

export function refKey(ref: ResourceRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function formatBatchMark(mark: BatchMark): string {
  return `${mark.id}/${mark.abort ? 'abort' : mark.size}`;
}

export function parseBatchMark(value: string | undefined): BatchMark | undefined {
  if (!value) return undefined;
  const slash = value.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const id = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (rest === 'abort') return { id, abort: true };
  const size = Number(rest);
  return Number.isInteger(size) && size > 0 ? { id, size } : undefined;
}

/** A copy of `doc` whose batch annotation is `mark` (removed when undefined). */
export function withBatchMark(doc: StoredDocument, mark: BatchMark | undefined): StoredDocument {
  const annotations = { ...doc.metadata.annotations };
  if (mark) annotations[BATCH_ANNOTATION] = formatBatchMark(mark);
  else delete annotations[BATCH_ANNOTATION];
  const { annotations: _old, ...rest } = doc.metadata;
  const metadata: StoredDocument['metadata'] = Object.keys(annotations).length ? { ...rest, annotations } : rest;
  return { ...doc, metadata };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeDocument(doc: StoredDocument): Uint8Array {
  const { resourceVersion: _rv, ...metadata } = doc.metadata;
  return encoder.encode(JSON.stringify({ ...doc, metadata }));
}

export function decodeDocument(value: Uint8Array): StoredDocument | undefined {
  try {
    const doc = JSON.parse(decoder.decode(value)) as StoredDocument;
    return doc && typeof doc === 'object' && doc.metadata && typeof doc.metadata === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** The document as a resource at `revision`: resourceVersion set, deletionTimestamp kept only on tombstones. */
export function asResource(doc: StoredDocument, revision: number): Resource {
  return { ...doc, metadata: { ...doc.metadata, resourceVersion: String(revision) } };
}

/** Decodes a KV entry; undefined when its key or value is not one the store wrote. */
export function decodeEntry(entry: Pick<KvEntry, 'key' | 'revision' | 'created' | 'operation' | 'value'>): ConfigEntry | undefined {
  const ref = refFromKey(entry.key);
  if (!ref) return undefined;
  const base = { key: entry.key, ref, revision: entry.revision, created: entry.created };
  if (entry.operation !== 'PUT') return { ...base, operation: 'DEL' };
  const doc = decodeDocument(entry.value);
  if (!doc) return undefined;
  const batch = parseBatchMark(doc.metadata.annotations?.[BATCH_ANNOTATION]);
  const out: ConfigEntry = { ...base, operation: doc.metadata.deletionTimestamp ? 'DEL' : 'PUT', resource: asResource(doc, entry.revision) };
  if (batch) out.batch = batch;
  return out;
}

/** Canonical JSON (sorted keys) for comparing documents. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Same content, ignoring resourceVersion and the batch annotation. */
export function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource) => withBatchMark({ ...r, metadata: { ...r.metadata, resourceVersion: undefined } } as StoredDocument, undefined);
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
