// Turns one CRD's OpenAPI v3 spec schema into a JSON schema for Ajv:
// - descriptions go; objects refuse unknown fields (istioctl and kubectl's
//   strict mode refuse them; the API server would silently drop them);
// - Kubernetes' "at most one of these fields" idiom (oneOf of `required`
//   with a `not anyOf`) becomes `x-sextant-at-most-one-of`, so the error can
//   name the fields instead of "must match exactly one schema in oneOf";
// - `x-kubernetes-list-type: map` becomes `x-sextant-unique-keys`;
// - `nullable` becomes a `null` type; `x-kubernetes-validations` (CEL) stays
//   and is checked against the implemented rules;
// - structures that repeat inside a kind move to `$defs` under their type name.
// Any keyword not listed here stops the generator: nothing is dropped unseen.
import { canonical, isObject, isStructure, type RawSchema, type StructureIndex } from './schema-structures';

export type JsonSchema = Record<string, unknown>;

export interface TransformContext {
  index: StructureIndex;
  /** Occurrences of each structure inside the kind being transformed. */
  counts: Map<string, number>;
  defs: Record<string, JsonSchema>;
  knownRules: ReadonlySet<string>;
  kind: string;
}

const KEPT = new Set([
  'type',
  'required',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'pattern',
  'format',
  'uniqueItems',
  'multipleOf',
]);

const HANDLED = new Set([
  'description',
  'properties',
  'items',
  'additionalProperties',
  'nullable',
  'oneOf',
  'allOf',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-preserve-unknown-fields',
]);

export function transformSpecSchema(spec: RawSchema, ctx: TransformContext): JsonSchema {
  const root = transformInner(spec, ctx, 'spec');
  if (Object.keys(ctx.defs).length > 0) root['$defs'] = ctx.defs;
  return root;
}

function transformNode(node: RawSchema, ctx: TransformContext, path: string): JsonSchema {
  if (isStructure(node)) {
    const key = canonical(node);
    if ((ctx.counts.get(key) ?? 0) > 1) {
      const name = ctx.index.byCanonical.get(key)?.name;
      if (!name) throw new Error(`${ctx.kind} ${path}: structure has no name`);
      if (!(name in ctx.defs)) {
        ctx.defs[name] = {};
        ctx.defs[name] = transformInner(node, ctx, path);
      }
      return { $ref: `#/$defs/${name}` };
    }
  }
  return transformInner(node, ctx, path);
}

function transformInner(node: RawSchema, ctx: TransformContext, path: string): JsonSchema {
  const where = `${ctx.kind} ${path}`;
  const out: JsonSchema = {};
  for (const key of Object.keys(node)) {
    if (!KEPT.has(key) && !HANDLED.has(key)) throw new Error(`${where}: unsupported schema keyword ${key}`);
    if (KEPT.has(key)) out[key] = node[key];
  }
  if (typeof out['pattern'] === 'string') new RegExp(out['pattern'], 'u'); // must compile in JavaScript

  if (node['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    out['type'] = ['integer', 'string'];
  } else if (node['anyOf'] !== undefined) {
    throw new Error(`${where}: anyOf outside x-kubernetes-int-or-string`);
  }
  if (node['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];

  const props = node['properties'];
  if (isObject(props)) {
    const mapped: Record<string, JsonSchema> = {};
    for (const [name, sub] of Object.entries(props)) {
      if (!isObject(sub)) throw new Error(`${where}.${name}: schema is not an object`);
      mapped[name] = transformNode(sub, ctx, `${path}.${name}`);
    }
    out['properties'] = mapped;
  }
  const items = node['items'];
  if (isObject(items)) out['items'] = transformNode(items, ctx, `${path}[]`);
  const additional = node['additionalProperties'];
  if (isObject(additional)) out['additionalProperties'] = transformNode(additional, ctx, `${path}{}`);
  else if (typeof additional === 'boolean') out['additionalProperties'] = additional;
  else if (isObject(props) && node['x-kubernetes-preserve-unknown-fields'] !== true) out['additionalProperties'] = false;

  const groups: string[][] = [];
  if (node['oneOf'] !== undefined) groups.push(atMostOneGroup(node['oneOf'], where));
  if (node['allOf'] !== undefined) {
    if (!Array.isArray(node['allOf'])) throw new Error(`${where}: allOf is not a list`);
    for (const part of node['allOf']) {
      if (!isObject(part) || Object.keys(part).length !== 1 || part['oneOf'] === undefined) {
        throw new Error(`${where}: unsupported allOf member`);
      }
      groups.push(atMostOneGroup(part['oneOf'], where));
    }
  }
  // The same group may appear both in oneOf and in allOf; keep each once.
  const unique = [...new Map(groups.map((g) => [g.join(','), g])).values()];
  if (unique.length > 0) out['x-sextant-at-most-one-of'] = unique;

  const listType = node['x-kubernetes-list-type'];
  if (listType === 'map') {
    const keys = node['x-kubernetes-list-map-keys'];
    if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${where}: list-type map without keys`);
    out['x-sextant-unique-keys'] = keys;
  } else if (listType === 'set') {
    out['uniqueItems'] = true;
  } else if (listType !== undefined && listType !== 'atomic') {
    throw new Error(`${where}: unsupported list type ${String(listType)}`);
  }

  const rules = node['x-kubernetes-validations'];
  if (rules !== undefined) {
    if (!Array.isArray(rules)) throw new Error(`${where}: x-kubernetes-validations is not a list`);
    out['x-kubernetes-validations'] = rules.map((r: unknown) => {
      if (!isObject(r) || typeof r['rule'] !== 'string') throw new Error(`${where}: malformed CEL rule`);
      // The CRD YAML wraps long rules; whitespace between tokens carries no meaning here.
      const rule = r['rule'].replace(/\s+/g, ' ').trim();
      if (!ctx.knownRules.has(rule)) throw new Error(`${where}: CEL rule not implemented in cel-rules.ts: ${rule}`);
      const extra = Object.keys(r).filter((k) => k !== 'rule' && k !== 'message');
      if (extra.length > 0) throw new Error(`${where}: unsupported CEL rule fields ${extra.join(', ')}`);
      return { rule, message: typeof r['message'] === 'string' ? r['message'] : `failed rule: ${rule}` };
    });
  }
  return out;
}

/** Recognises [{not: {anyOf: [{required: [a]}, ...]}}, {required: [a]}, ...] and returns [a, ...]. */
function atMostOneGroup(oneOf: unknown, where: string): string[] {
  const fail = (): never => {
    throw new Error(`${where}: unsupported oneOf form`);
  };
  if (!Array.isArray(oneOf) || oneOf.length < 2) return fail();
  const [first, ...rest] = oneOf as unknown[];
  const fields = rest.map((r) => {
    if (!isObject(r) || Object.keys(r).length !== 1 || !Array.isArray(r['required']) || r['required'].length !== 1) return fail();
    return String(r['required'][0]);
  });
  const not = isObject(first) ? first['not'] : undefined;
  const anyOf = isObject(not) ? not['anyOf'] : undefined;
  if (!Array.isArray(anyOf) || anyOf.length !== fields.length) return fail();
  anyOf.forEach((a: unknown, i: number) => {
    if (!isObject(a) || !Array.isArray(a['required']) || a['required'][0] !== fields[i]) fail();
  });
  return fields;
}
