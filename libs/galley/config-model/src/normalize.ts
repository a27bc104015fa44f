// Conversion of every accepted version to the one internal form: the storage
// version's shape (v1). Istio's versions of these kinds are field-identical
// today, so conversion is mostly the apiVersion; a future difference between
// versions goes into VERSION_CONVERTERS and nowhere else.
import { apiVersionOf, findKind, parseApiVersion, type IstioKind } from './kinds';
import type { ObjectMeta, Resource } from './resource';

export type SpecObject = Record<string, unknown>;
/** Converts a spec from one version's shape to the storage version's shape. Must not mutate its input. */
export type SpecConverter = (spec: SpecObject) => SpecObject;

/** kind -> accepted version -> converter to the storage version. A missing entry means identical shape. */
export const VERSION_CONVERTERS: Partial<Record<IstioKind, Partial<Record<string, SpecConverter>>>> = {};

export interface FieldAlias {
  kind: IstioKind;
  /** Path from spec to the objects holding the field; `*` steps into every array item. */
  at: readonly string[];
  /** Protobuf's original (snake_case) name, which Istio also accepts. */
  alias: string;
  /** The JSON name used in the internal form. */
  field: string;
}

/** Fields that Istio's CRDs accept under two names. The internal form keeps the JSON name. */
export const FIELD_ALIASES: readonly FieldAlias[] = [
  { kind: 'VirtualService', at: ['http', '*'], alias: 'mirror_percent', field: 'mirrorPercent' },
  { kind: 'RequestAuthentication', at: ['jwtRules', '*'], alias: 'jwks_uri', field: 'jwksUri' },
];

export interface RemovedField {
  kind: IstioKind;
  /** Path from spec to the objects that held the field; `*` steps into every array item. */
  at: readonly string[];
  field: string;
  /** A hint for the warning: what to use instead, or why nothing is needed. */
  hint: string;
}

/**
 * Fields Istio removed from its API (they are `reserved` in Istio's protos).
 * Old YAML still carries them; the Kubernetes API server drops them, and so
 * does the internal form (validation warns).
 */
export const REMOVED_FIELDS: readonly RemovedField[] = [
  ...['websocketUpgrade', 'appendHeaders', 'appendRequestHeaders', 'removeRequestHeaders', 'appendResponseHeaders', 'removeResponseHeaders'].map(
    (field): RemovedField => ({
      kind: 'VirtualService',
      at: ['http', '*'],
      field,
      hint: field === 'websocketUpgrade' ? 'WebSocket upgrades are always allowed' : 'use headers.request and headers.response',
    }),
  ),
  ...['appendRequestHeaders', 'removeRequestHeaders', 'appendResponseHeaders', 'removeResponseHeaders'].map(
    (field): RemovedField => ({ kind: 'VirtualService', at: ['http', '*', 'route', '*'], field, hint: 'use headers.request and headers.response' }),
  ),
  { kind: 'VirtualService', at: ['tls', '*', 'match', '*'], field: 'sourceSubnet', hint: '' },
  { kind: 'VirtualService', at: ['http', '*', 'fault', 'abort'], field: 'percent', hint: 'use percentage.value' },
  { kind: 'Sidecar', at: [], field: 'localhost', hint: '' },
  { kind: 'Sidecar', at: ['ingress', '*'], field: 'localhostClientTls', hint: '' },
  { kind: 'Sidecar', at: ['egress', '*'], field: 'localhostServerTls', hint: '' },
];

export interface RemovedFieldUse {
  /** Field path, e.g. `spec.http[0].websocketUpgrade`. */
  path: string;
  field: RemovedField;
}

/** Where `spec` uses fields Istio removed from its API. */
export function findRemovedFields(kind: string, spec: unknown): RemovedFieldUse[] {
  const found: RemovedFieldUse[] = [];
  for (const field of REMOVED_FIELDS) {
    if (field.kind !== kind) continue;
    const visit = (node: unknown, steps: readonly string[], path: string): void => {
      if (steps.length === 0) {
        if (isObject(node) && node[field.field] !== undefined) found.push({ path: `${path}.${field.field}`, field });
        return;
      }
      const [step, ...rest] = steps;
      if (step === '*') {
        if (Array.isArray(node)) node.forEach((item, i) => visit(item, rest, `${path}[${i}]`));
      } else if (isObject(node)) visit(node[step!], rest, `${path}.${step}`);
    };
    visit(spec, field.at, 'spec');
  }
  return found;
}

/** `spec` without fields Istio removed from its API. The input is not modified. */
export function pruneRemovedFields(kind: string, spec: SpecObject): SpecObject {
  let out = spec;
  for (const field of REMOVED_FIELDS) {
    if (field.kind !== kind) continue;
    out = rewriteAt(out, field.at, (obj) => {
      if (!(field.field in obj)) return obj;
      const { [field.field]: _removed, ...rest } = obj;
      return rest;
    }) as SpecObject;
  }
  return out;
}

export const DEFAULT_NAMESPACE = 'default';

export interface NormalizeOptions {
  /** Namespace given to a namespaced resource that names none. Default `default`. */
  defaultNamespace?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies `fn` to every object found at `path` below `root`, copying only what changes. */
function rewriteAt(root: unknown, path: readonly string[], fn: (obj: SpecObject) => SpecObject): unknown {
  if (path.length === 0) return isObject(root) ? fn(root) : root;
  const [step, ...rest] = path;
  if (step === '*') {
    if (!Array.isArray(root)) return root;
    let changed = false;
    const out = root.map((item) => {
      const next = rewriteAt(item, rest, fn);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : root;
  }
  if (!isObject(root) || !(step! in root)) return root;
  const next = rewriteAt(root[step!], rest, fn);
  return next === root[step!] ? root : { ...root, [step!]: next };
}

function applyAliases(kind: string, spec: SpecObject): SpecObject {
  let out = spec;
  for (const a of FIELD_ALIASES) {
    if (a.kind !== kind) continue;
    out = rewriteAt(out, a.at, (obj) => {
      if (!(a.alias in obj)) return obj;
      const { [a.alias]: value, ...rest } = obj;
      return a.field in rest ? rest : { ...rest, [a.field]: value };
    }) as SpecObject;
  }
  return out;
}

function pickMetadata(metadata: ObjectMeta, namespaced: boolean, defaultNamespace: string): ObjectMeta {
  const out: ObjectMeta = { name: metadata.name };
  if (namespaced) out.namespace = metadata.namespace || defaultNamespace;
  if (metadata.labels !== undefined) out.labels = metadata.labels;
  if (metadata.annotations !== undefined) out.annotations = metadata.annotations;
  if (metadata.resourceVersion !== undefined) out.resourceVersion = metadata.resourceVersion;
  if (metadata.generation !== undefined) out.generation = metadata.generation;
  if (metadata.creationTimestamp !== undefined) out.creationTimestamp = metadata.creationTimestamp;
  if (metadata.uid !== undefined) out.uid = metadata.uid;
  return out;
}

/**
 * Returns the internal form of an accepted resource: apiVersion set to the
 * storage version, the spec converted to that version's shape, field aliases
 * renamed, fields Istio removed from its API dropped, the namespace defaulted, and metadata reduced to the fields
 * Sextant keeps. The input is not modified; unchanged parts are shared.
 * Throws on a kind or version outside the list of kinds (validate first).
 */
export function normalizeResource<R extends Resource>(resource: R, options: NormalizeOptions = {}): R {
  const info = findKind(resource.kind);
  if (!info) throw new TypeError(`normalizeResource: ${resource.kind} is not an accepted kind`);
  const { group, version } = parseApiVersion(resource.apiVersion);
  if (group !== info.group || !info.versions.includes(version)) {
    throw new TypeError(`normalizeResource: ${resource.apiVersion} is not an accepted version of ${resource.kind}`);
  }
  let spec: SpecObject = isObject(resource.spec) ? resource.spec : {};
  const convert = VERSION_CONVERTERS[info.kind as IstioKind]?.[version];
  if (convert) spec = convert(spec);
  spec = applyAliases(info.kind, pruneRemovedFields(info.kind, spec));
  const out = {
    apiVersion: apiVersionOf(info),
    kind: resource.kind,
    metadata: pickMetadata(resource.metadata, info.namespaced, options.defaultNamespace ?? DEFAULT_NAMESPACE),
    spec,
  } as R;
  if (resource.status !== undefined) out.status = resource.status;
  return out;
}
