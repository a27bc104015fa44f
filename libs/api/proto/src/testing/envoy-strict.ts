// Test helper, shared by every lib that emits Envoy config (import from
// '@sextant/proto/testing'; never from production code).
// Envoy's real protos (from @grpc/grpc-js-xds's deps/) for tests: a strict
// check of plain objects against the message types (unknown fields, wrong
// scalar types, unknown enum names, several members of one oneof, and the
// protoc-gen-validate rules Envoy enforces: required messages and oneofs,
// min_len, min_items, numeric bounds, duration bounds), then a real encode.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

const roots = new Map<string, protobuf.Root>();

/** A root with the given Envoy protos (cached per list). */
export function envoyRoot(files: readonly string[]): protobuf.Root {
  const key = [...files].sort().join('|');
  const cached = roots.get(key);
  if (cached) return cached;
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const dirs = [...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)), dirname(require.resolve('protobufjs/package.json'))];
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => dirs.map((d) => join(d, target)).find((f) => existsSync(f)) ?? target;
  r.loadSync([...files], { keepCase: false });
  r.resolveAll();
  roots.set(key, r);
  return r;
}

const INT = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

type Rules = Record<string, unknown>;

function fieldRules(field: protobuf.Field): Rules {
  return (field.options ?? {}) as Rules;
}

function durationRules(field: protobuf.Field): Record<string, unknown> | undefined {
  for (const o of (field.parsedOptions ?? []) as Record<string, unknown>[]) {
    const rules = o['(validate.rules)'] as Record<string, unknown> | undefined;
    if (rules?.['duration']) return rules['duration'] as Record<string, unknown>;
  }
  return undefined;
}

const durNanos = (d: unknown) => {
  const x = (d ?? {}) as { seconds?: string | number; nanos?: number };
  return Number(x.seconds ?? 0) * 1e9 + Number(x.nanos ?? 0);
};

function checkScalar(field: protobuf.Field, v: unknown, path: string, problems: string[]): void {
  const t = field.type;
  const ok =
    t === 'string' ? typeof v === 'string'
    : t === 'bool' ? typeof v === 'boolean'
    : INT.has(t) ? Number.isInteger(v)
    : LONG.has(t) ? Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v))
    : t === 'double' || t === 'float' ? typeof v === 'number'
    : t === 'bytes' ? typeof v === 'string' || v instanceof Uint8Array
    : true;
  if (!ok) problems.push(`${path}: ${JSON.stringify(v)} is not a ${t}`);
  const r = fieldRules(field);
  const num = typeof v === 'number' ? v : typeof v === 'string' && LONG.has(t) ? Number(v) : undefined;
  for (const kind of ['uint32', 'int32', 'uint64', 'int64', 'double']) {
    if (num === undefined) break;
    const lte = r[`(validate.rules).${kind}.lte`];
    const lt = r[`(validate.rules).${kind}.lt`];
    const gte = r[`(validate.rules).${kind}.gte`];
    const gt = r[`(validate.rules).${kind}.gt`];
    if (typeof lte === 'number' && num > lte) problems.push(`${path}: ${num} > ${lte}`);
    if (typeof lt === 'number' && num >= lt) problems.push(`${path}: ${num} >= ${lt}`);
    if (typeof gte === 'number' && num < gte) problems.push(`${path}: ${num} < ${gte}`);
    if (typeof gt === 'number' && num <= gt) problems.push(`${path}: ${num} <= ${gt}`);
  }
  if (typeof v === 'string') {
    const min = r['(validate.rules).string.min_len'] ?? r['(validate.rules).string.min_bytes'];
    if (typeof min === 'number' && v.length < min) problems.push(`${path}: shorter than ${min}`);
  }
}

function checkValue(field: protobuf.Field, v: unknown, path: string, problems: string[], depth: number): void {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof v !== 'string' || !(v in resolved.values)) problems.push(`${path}: ${JSON.stringify(v)} is not a ${resolved.name} name`);
    return;
  }
  if (resolved instanceof protobuf.Type) {
    checkObject(resolved, v, path, problems, depth + 1);
    const d = durationRules(field);
    if (d && resolved.fullName === '.google.protobuf.Duration') {
      if (d['gt'] !== undefined && !(durNanos(v) > durNanos(d['gt']))) problems.push(`${path}: duration must be > ${JSON.stringify(d['gt'])}`);
      if (d['gte'] !== undefined && !(durNanos(v) >= durNanos(d['gte']))) problems.push(`${path}: duration must be >= ${JSON.stringify(d['gte'])}`);
      if (d['lt'] !== undefined && !(durNanos(v) < durNanos(d['lt']))) problems.push(`${path}: duration must be < ${JSON.stringify(d['lt'])}`);
    }
    return;
  }
  checkScalar(field, v, path, problems);
}

export function checkObject(type: protobuf.Type, obj: unknown, path: string, problems: string[], depth = 0): void {
  if (depth > 80) return;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    problems.push(`${path}: expected a ${type.name} object, got ${JSON.stringify(obj)}`);
    return;
  }
  const o = obj as Record<string, unknown>;
  if (type.fullName === '.google.protobuf.Any') {
    const url = o['@type'];
    if (typeof url !== 'string') return void problems.push(`${path}: Any without @type`);
    const inner = type.root.lookup(url.slice(url.lastIndexOf('/') + 1));
    if (!(inner instanceof protobuf.Type)) return void problems.push(`${path}: @type ${url} not in the loaded protos`);
    const { '@type': _t, ...rest } = o;
    checkObject(inner, rest, `${path}<${inner.name}>`, problems, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(o)) {
    const field = type.fields[k];
    if (!field) {
      problems.push(`${path}.${k}: no such field in ${type.name}`);
      continue;
    }
    if (v === undefined || v === null) {
      problems.push(`${path}.${k}: ${v} value (omit the field instead)`);
      continue;
    }
    if (field.map) {
      if (typeof v !== 'object') problems.push(`${path}.${k}: map must be an object`);
      else for (const [mk, mv] of Object.entries(v as object)) checkValue(field, mv, `${path}.${k}[${mk}]`, problems, depth);
    } else if (field.repeated) {
      if (!Array.isArray(v)) problems.push(`${path}.${k}: repeated field must be an array`);
      else v.forEach((item, i) => checkValue(field, item, `${path}.${k}[${i}]`, problems, depth));
    } else checkValue(field, v, `${path}.${k}`, problems, depth);
  }
  // Presence rules (PGV) and oneofs.
  for (const field of type.fieldsArray) {
    const r = fieldRules(field);
    const present = o[field.name] !== undefined;
    const inOneof = field.partOf !== null && field.partOf !== undefined;
    if (r['(validate.rules).message.required'] === true && !present && !inOneof) problems.push(`${path}.${field.name}: required`);
    const items = r['(validate.rules).repeated.min_items'];
    const count = Array.isArray(o[field.name]) ? (o[field.name] as unknown[]).length : 0;
    if (typeof items === 'number' && field.repeated && count < items) problems.push(`${path}.${field.name}: needs at least ${items} item(s)`);
    if (!present && !inOneof) {
      const min = r['(validate.rules).string.min_len'] ?? r['(validate.rules).string.min_bytes'];
      if (typeof min === 'number' && min > 0 && field.type === 'string' && !field.repeated) problems.push(`${path}.${field.name}: required (min_len ${min})`);
      if (durationRules(field)?.['required'] === true) problems.push(`${path}.${field.name}: required duration`);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => o[f.name] !== undefined);
    if (set.length > 1) problems.push(`${path}: oneof ${oneof.name} has ${set.map((f) => f.name).join(' and ')}`);
    if (set.length === 0 && (oneof.options as Rules | undefined)?.['(validate.required)'] === true) problems.push(`${path}: oneof ${oneof.name} is required`);
  }
}

/** Problems of `obj` as the message `typeName` (empty: Envoy would accept it as far as these checks go). */
export interface StrictEnvoyChecker {
  /** Every problem found in obj as a typeName message (empty when it would be accepted). */
  envoyProblems(typeName: string, obj: unknown): string[];
  /** Encodes after checking; throws listing every problem. */
  encodeEnvoy(typeName: string, obj: object): Uint8Array;
}

/** A strict checker over the given Envoy proto files (those a lib's output uses). */
export function strictEnvoyChecker(files: readonly string[]): StrictEnvoyChecker {
  const envoyProblems = (typeName: string, obj: unknown): string[] => {
    const type = envoyRoot(files).lookupType(typeName);
    const problems: string[] = [];
    checkObject(type, obj, type.name, problems);
    return problems;
  };
  return {
    envoyProblems,
    encodeEnvoy(typeName, obj) {
      const problems = envoyProblems(typeName, obj);
      if (problems.length > 0) throw new Error(`${typeName}:\n  ${problems.slice(0, 20).join('\n  ')}`);
      const type = envoyRoot(files).lookupType(typeName);
      return type.encode(type.fromObject(obj)).finish();
    },
  };
}

export const RESOURCE_TYPES = {
  listeners: 'envoy.config.listener.v3.Listener',
  routes: 'envoy.config.route.v3.RouteConfiguration',
  clusters: 'envoy.config.cluster.v3.Cluster',
  endpoints: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;
