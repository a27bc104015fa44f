// Finds every object structure in the CRD spec schemas, groups identical ones
// and names each group (see type-names.ts). Both outputs of the generator use
// these names: `$defs` in the JSON schemas, interfaces in the TypeScript types.
import { TYPE_NAMES } from './type-names';

export type RawSchema = Record<string, unknown>;

export interface Structure {
  name: string;
  /** Every place the structure occurs, `Kind:path`. */
  paths: string[];
  /** The first occurrence, descriptions included. */
  schema: RawSchema;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys and without descriptions: equal strings = equal structures. */
export function canonical(schema: unknown): string {
  return JSON.stringify(sortDeep(stripDescriptions(schema)));
}

function stripDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDescriptions);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'description') out[k] = stripDescriptions(v);
  return out;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortDeep(value[k]);
  return out;
}

export function isStructure(schema: RawSchema): boolean {
  return schema['type'] === 'object' && isObject(schema['properties']);
}

/** Visits every sub-schema with its path (`a.b[]`, `m{}`). */
export function walkSchema(schema: RawSchema, path: string, visit: (schema: RawSchema, path: string) => void): void {
  visit(schema, path);
  const props = schema['properties'];
  if (isObject(props)) for (const [k, v] of Object.entries(props)) if (isObject(v)) walkSchema(v, `${path}.${k}`, visit);
  const items = schema['items'];
  if (isObject(items)) walkSchema(items, `${path}[]`, visit);
  const additional = schema['additionalProperties'];
  if (isObject(additional)) walkSchema(additional, `${path}{}`, visit);
}

function autoName(path: string): string {
  return path
    .split(/[.:[\]{}]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export interface StructureIndex {
  byCanonical: Map<string, Structure>;
  /** Structures that had no entry in TYPE_NAMES (named from their path). */
  unnamed: string[];
}

export function indexStructures(specs: readonly { kind: string; spec: RawSchema }[]): StructureIndex {
  const byCanonical = new Map<string, Structure>();
  for (const { kind, spec } of specs) {
    walkSchema(spec, 'spec', (schema, path) => {
      if (!isStructure(schema)) return;
      const key = canonical(schema);
      const found = byCanonical.get(key);
      if (found) found.paths.push(`${kind}:${path}`);
      else byCanonical.set(key, { name: '', paths: [`${kind}:${path}`], schema });
    });
  }
  const unnamed: string[] = [];
  const owners = new Map<string, string>();
  for (const [key, structure] of byCanonical) {
    const names = new Set(structure.paths.map((p) => TYPE_NAMES[p]).filter((n): n is string => n !== undefined));
    if (names.size > 1) throw new Error(`one structure has several names: ${[...names].join(', ')} (${structure.paths.join(', ')})`);
    let name = [...names][0];
    if (!name) {
      name = autoName(structure.paths[0]!);
      unnamed.push(`${structure.paths[0]} -> ${name}`);
    }
    const owner = owners.get(name);
    if (owner !== undefined && owner !== key) {
      throw new Error(`name ${name} is given to two different structures: ${structure.paths.join(', ')}`);
    }
    owners.set(name, key);
    structure.name = name;
  }
  return { byCanonical, unnamed };
}
