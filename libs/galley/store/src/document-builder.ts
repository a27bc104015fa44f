// What the store writes for an accepted resource, given what is stored now:
// server-owned metadata (generation, creationTimestamp, uid, field manager)
// and status (Accepted=True for the generation stored).
import { randomUUID } from 'node:crypto';
import { ConditionStatus, ConditionType, withCondition, type Resource } from '@sextant/config-model';
import { FIELD_MANAGER_ANNOTATION, STORE_ANNOTATIONS, canonicalJson, type StoredDocument } from './entry-codec';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface BuiltDocument {
  action: ApplyAction;
  doc: StoredDocument;
}

/** RFC 3339 with whole seconds, as Kubernetes writes timestamps. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function userAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const out = Object.fromEntries(Object.entries(annotations).filter(([k]) => !STORE_ANNOTATIONS.includes(k)));
  return Object.keys(out).length ? out : undefined;
}

/** The parts a user owns; two resources with the same user parts are "unchanged". */
function userParts(r: Resource): string {
  return canonicalJson({ apiVersion: r.apiVersion, spec: r.spec ?? {}, labels: r.metadata.labels ?? {}, annotations: userAnnotations(r.metadata.annotations) ?? {} });
}

/** Same spec, labels and user annotations (status and server metadata aside). */
export function sameUserParts(a: Resource, b: Resource): boolean {
  return userParts(a) === userParts(b);
}

/** The resource as a user would write it again: no status, no server-owned metadata or annotations. */
export function userResource(r: Resource): Resource {
  const metadata: Resource['metadata'] = { name: r.metadata.name };
  if (r.metadata.namespace !== undefined) metadata.namespace = r.metadata.namespace;
  if (r.metadata.labels) metadata.labels = r.metadata.labels;
  const annotations = userAnnotations(r.metadata.annotations);
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: r.apiVersion, kind: r.kind, metadata, spec: r.spec };
}

/**
 * The document to store for `input` (validated and normalised) when
 * `current` is stored now (undefined: absent or deleted). The spec decides
 * the generation; creationTimestamp and uid survive updates.
 */
export function buildDocument(input: Resource, current: Resource | undefined, now: Date, fieldManager?: string): BuiltDocument {
  if (current && userParts(current) === userParts(input)) return { action: 'unchanged', doc: current as StoredDocument };
  const specChanged = !current || canonicalJson(current.spec ?? {}) !== canonicalJson(input.spec ?? {});
  const generation = current ? (current.metadata.generation ?? 1) + (specChanged ? 1 : 0) : 1;
  const annotations = { ...userAnnotations(input.metadata.annotations) };
  if (fieldManager) annotations[FIELD_MANAGER_ANNOTATION] = fieldManager;
  const { resourceVersion: _rv, ...inputMeta } = input.metadata;
  const metadata: StoredDocument['metadata'] = {
    ...inputMeta,
    generation,
    creationTimestamp: current?.metadata.creationTimestamp ?? timestamp(now),
    uid: current?.metadata.uid ?? randomUUID(),
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  // Status is the server's: user input never sets it. A spec change makes an
  // earlier Rejected verdict (about the old generation) void.
  let status = current?.status ? { ...current.status } : {};
  if (specChanged && status.conditions) status = { ...status, conditions: status.conditions.filter((c) => c.type !== ConditionType.Rejected) };
  const base: StoredDocument = { apiVersion: input.apiVersion, kind: input.kind, metadata, spec: input.spec, status };
  const doc = withCondition(
    base,
    { type: ConditionType.Accepted, status: ConditionStatus.True, reason: 'Stored', message: 'validated and stored', observedGeneration: generation },
    now,
  );
  return { action: current ? 'configured' : 'created', doc };
}

/** A tombstone: the last content, marked deleted (what a batch writes for a delete). */
export function tombstoneOf(current: Resource, now: Date): StoredDocument {
  const { resourceVersion: _rv, ...metadata } = current.metadata;
  return { ...current, metadata: { ...metadata, deletionTimestamp: timestamp(now) } };
}
