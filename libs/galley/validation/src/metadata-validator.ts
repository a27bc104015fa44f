// The Kubernetes envelope: top-level fields and metadata (name, namespace,
// labels, annotations, server-set fields), plus Istio's reserved annotations.
import { checkLabelValue, checkQualifiedName } from './checks/labels';
import { isDns1123Subdomain, isKubernetesLabelName } from './checks/hosts';
import type { Findings } from './findings';
import { fieldPath, keyPath, show } from './issue';

const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const OBJECT_META = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** Kubernetes' limit on all annotations of one object together. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Annotations that Istio reserves for itself and refuses from users. */
export const RESERVED_ANNOTATIONS = ['internal.istio.io/webhook-always-reject', 'internal.istio.io/parent-namespace', 'internal.istio.io/parents'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export function checkTopLevel(f: Findings, doc: Record<string, unknown>): void {
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL.has(key)) f.error(fieldPath('', key), 'UNKNOWN_FIELD', `unknown field "${key}"`);
  }
  for (const key of ['apiVersion', 'kind'] as const) {
    const v = doc[key];
    if (v === undefined || v === '') f.error(key, 'REQUIRED', 'required field is missing');
    else if (typeof v !== 'string') f.error(key, 'WRONG_TYPE', `must be of type string (got ${typeName(v)})`);
  }
  if (doc['status'] !== undefined && doc['status'] !== null && !isObject(doc['status'])) {
    f.error('status', 'WRONG_TYPE', `must be of type object (got ${typeName(doc['status'])})`);
  }
}

function checkStringMap(f: Findings, path: string, value: unknown, isLabels: boolean): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    f.error(path, 'WRONG_TYPE', `must be of type object (got ${typeName(value)})`);
    return;
  }
  let bytes = 0;
  for (const [key, v] of Object.entries(value)) {
    const p = keyPath(path, key);
    if (typeof v !== 'string') {
      f.error(p, 'WRONG_TYPE', `must be of type string (got ${typeName(v)} ${show(v)}); quote it in YAML`);
      continue;
    }
    f.check(p, 'INVALID_METADATA', checkQualifiedName(key));
    if (isLabels) f.check(p, 'INVALID_METADATA', checkLabelValue(v));
    bytes += key.length + v.length;
  }
  if (!isLabels && bytes > MAX_ANNOTATIONS_BYTES) f.error(path, 'TOO_LONG', `annotations total ${bytes} bytes; the limit is ${MAX_ANNOTATIONS_BYTES}`);
}

/** Checks metadata; returns the name and namespace found (strings only). */
export function checkMetadata(f: Findings, metadata: unknown, namespaced: boolean): void {
  if (metadata === undefined || metadata === null) {
    f.error('metadata', 'REQUIRED', 'required field is missing');
    return;
  }
  if (!isObject(metadata)) {
    f.error('metadata', 'WRONG_TYPE', `must be of type object (got ${typeName(metadata)})`);
    return;
  }
  for (const key of Object.keys(metadata)) {
    if (!OBJECT_META.has(key)) f.error(fieldPath('metadata', key), 'UNKNOWN_FIELD', `unknown field "${key}"`);
  }
  const name = metadata['name'];
  if (name === undefined || name === '') f.error('metadata.name', 'REQUIRED', 'required field is missing');
  else if (typeof name !== 'string') f.error('metadata.name', 'WRONG_TYPE', `must be of type string (got ${typeName(name)})`);
  else if (!isDns1123Subdomain(name)) {
    f.error('metadata.name', 'INVALID_NAME', `invalid name ${JSON.stringify(name)}: must be a lower-case DNS subdomain (a-z, 0-9, '-' and '.'; at most 253 characters)`);
  }
  const ns = metadata['namespace'];
  if (ns !== undefined && ns !== null && ns !== '') {
    if (typeof ns !== 'string') f.error('metadata.namespace', 'WRONG_TYPE', `must be of type string (got ${typeName(ns)})`);
    else if (!namespaced) f.error('metadata.namespace', 'INVALID_NAME', 'namespace must not be set on a cluster-scoped resource');
    else if (!isKubernetesLabelName(ns)) {
      f.error('metadata.namespace', 'INVALID_NAME', `invalid namespace ${JSON.stringify(ns)}: must be a lower-case DNS label (a-z, 0-9, '-'; at most 63 characters)`);
    }
  }
  checkStringMap(f, 'metadata.labels', metadata['labels'], true);
  checkStringMap(f, 'metadata.annotations', metadata['annotations'], false);
  for (const key of ['resourceVersion', 'uid', 'generateName', 'selfLink'] as const) {
    const v = metadata[key];
    if (v !== undefined && v !== null && typeof v !== 'string') f.error(fieldPath('metadata', key), 'WRONG_TYPE', `must be of type string (got ${typeName(v)})`);
  }
  const generation = metadata['generation'];
  if (generation !== undefined && generation !== null && !(Number.isInteger(generation) && (generation as number) >= 0)) {
    f.error('metadata.generation', 'WRONG_TYPE', `must be a non-negative integer (got ${show(generation)})`);
  }
  for (const key of ['creationTimestamp', 'deletionTimestamp'] as const) {
    const v = metadata[key];
    if (v !== undefined && v !== null && !(typeof v === 'string' && RFC3339.test(v))) {
      f.error(fieldPath('metadata', key), 'INVALID_METADATA', `must be an RFC 3339 timestamp (got ${show(v)})`);
    }
  }
  const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {};
  for (const reserved of RESERVED_ANNOTATIONS) {
    if (reserved in annotations) f.error(keyPath('metadata.annotations', reserved), 'RESERVED_ANNOTATION', `${JSON.stringify(reserved)} annotation found, this may not be set by users`);
  }
}
