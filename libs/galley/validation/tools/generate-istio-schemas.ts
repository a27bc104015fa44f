// Generates, from Istio's CRD definitions, (1) the JSON schemas that
// @sextant/validation checks structure with and (2) the TypeScript types of
// every spec field in @sextant/config-model.
//
// Input: Istio's `manifests/charts/base/files/crd-all.gen.yaml` (istio/istio)
// or `kubernetes/customresourcedefinitions.gen.yaml` (istio/api). The
// committed output was made from istio/istio at commit
// 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c, the commit the test data under
// shared/istio-testdata comes from. Istio's CRDs are Apache-2.0.
//
// Usage (from the repository root):
//   npx tsx --tsconfig libs/galley/validation/tsconfig.json \
//     libs/galley/validation/tools/generate-istio-schemas.ts CRD.yaml \
//     --source 'istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c manifests/charts/base/files/crd-all.gen.yaml' [--check]
// --check compares instead of writing and exits 1 when the output is stale.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ISTIO_KINDS, type KindInfo } from '@sextant/config-model';
import { CEL_RULES } from '../src/cel-rules';
import { transformSpecSchema, type JsonSchema } from './crd-schema-transform';
import { canonical, indexStructures, isObject, isStructure, walkSchema, type RawSchema } from './schema-structures';
import { emitTypes } from './ts-type-emitter';

const here = import.meta.dirname;
const SCHEMAS_OUT = resolve(here, '../src/generated/istio-crd-schemas.ts');
const TYPES_OUT = resolve(here, '../../config-model/src/generated/istio-api.ts');

interface Variant {
  key: string;
  versions: string[];
  specRequired: boolean;
  spec: RawSchema;
}

function fail(message: string): never {
  throw new Error(message);
}

function get(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return v;
}

function findCrd(crds: unknown[], info: KindInfo): Record<string, unknown> {
  const crd = crds.find((c) => get(c, 'spec', 'group') === info.group && get(c, 'spec', 'names', 'kind') === info.kind);
  if (!isObject(crd)) fail(`no CRD for ${info.group} ${info.kind}`);
  const names = get(crd, 'spec', 'names');
  const same = (a: unknown, b: readonly string[]) => JSON.stringify([...((a as string[]) ?? [])].sort()) === JSON.stringify([...b].sort());
  if (get(names, 'plural') !== info.plural) fail(`${info.kind}: plural is ${String(get(names, 'plural'))}`);
  if (get(names, 'singular') !== info.singular) fail(`${info.kind}: singular is ${String(get(names, 'singular'))}`);
  if (!same(get(names, 'shortNames'), info.shortNames)) fail(`${info.kind}: shortNames differ from kinds.ts`);
  const scope = get(crd, 'spec', 'scope');
  if ((scope === 'Namespaced') !== info.namespaced) fail(`${info.kind}: scope is ${String(scope)}`);
  return crd;
}

function variantsOf(crd: Record<string, unknown>, info: KindInfo): Variant[] {
  const versions = get(crd, 'spec', 'versions');
  if (!Array.isArray(versions)) fail(`${info.kind}: no versions`);
  const served = versions.filter((v) => get(v, 'served') === true);
  const names = served.map((v) => String(get(v, 'name')));
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...info.versions].sort())) {
    fail(`${info.kind}: CRD serves ${names.join(', ')}, kinds.ts lists ${info.versions.join(', ')}`);
  }
  const storage = served.find((v) => get(v, 'storage') === true);
  if (get(storage, 'name') !== info.storageVersion) fail(`${info.kind}: storage version is ${String(get(storage, 'name'))}`);
  const variants: Variant[] = [];
  // Storage version first, so identical versions share its schema.
  for (const version of [info.storageVersion, ...info.versions.filter((v) => v !== info.storageVersion)]) {
    const root = get(served.find((v) => get(v, 'name') === version), 'schema', 'openAPIV3Schema');
    const spec = get(root, 'properties', 'spec');
    if (!isObject(spec)) fail(`${info.kind} ${version}: no spec schema`);
    const required = get(root, 'required');
    const specRequired = Array.isArray(required) && required.includes('spec');
    const key = canonical(spec) + String(specRequired);
    const same = variants.find((v) => canonical(v.spec) + String(v.specRequired) === key);
    if (same) same.versions.push(version);
    else variants.push({ key: version, versions: [version], specRequired, spec });
  }
  return variants;
}

function main(): void {
  const args = process.argv.slice(2);
  const input = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--source');
  const sourceIndex = args.indexOf('--source');
  const source = sourceIndex >= 0 ? args[sourceIndex + 1] : undefined;
  const check = args.includes('--check');
  if (!input || !source) fail('usage: generate-istio-schemas.ts CRD.yaml --source "<repo@commit path>" [--check]');

  const text = readFileSync(input, 'utf8');
  const sha256 = createHash('sha256').update(text).digest('hex');
  const crds = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown);

  const kinds = ISTIO_KINDS.map((info) => ({ info, variants: variantsOf(findCrd(crds, info), info) }));
  const index = indexStructures(kinds.flatMap(({ info, variants }) => variants.map((v) => ({ kind: info.kind, spec: v.spec }))));
  const knownRules = new Set(Object.keys(CEL_RULES));

  const schemaEntries: string[] = [];
  for (const { info, variants } of kinds) {
    const schemas: Record<string, { specRequired: boolean; schema: JsonSchema }> = {};
    const versions: Record<string, string> = {};
    for (const variant of variants) {
      const counts = new Map<string, number>();
      walkSchema(variant.spec, 'spec', (s, path) => {
        if (path !== 'spec' && isStructure(s)) counts.set(canonical(s), (counts.get(canonical(s)) ?? 0) + 1);
      });
      const schema = transformSpecSchema(variant.spec, { index, counts, defs: {}, knownRules, kind: info.kind });
      schemas[variant.key] = { specRequired: variant.specRequired, schema };
      for (const v of variant.versions) versions[v] = variant.key;
    }
    schemaEntries.push(`  ${info.kind}: ${JSON.stringify({ versions, schemas }, null, 2).replace(/\n/g, '\n  ')}`);
  }

  const provenance = [
    `// Source: ${source}`,
    `// sha256 of the input: ${sha256}`,
    '// Derived from Istio\'s CustomResourceDefinitions (Copyright Istio Authors,',
    '// Apache License 2.0). Regenerate with the command in the generator\'s header.',
  ].join('\n');

  const schemasFile = [
    '// Generated by libs/galley/validation/tools/generate-istio-schemas.ts. Do not edit.',
    provenance,
    '',
    'export interface CrdSchemaVariant {',
    '  /** The CRD makes `spec` a required field. */',
    '  specRequired: boolean;',
    '  /** JSON schema of `spec` (Ajv, draft 2019-09 `$defs`). */',
    '  schema: Record<string, unknown>;',
    '}',
    '',
    'export interface CrdKindSchemas {',
    '  /** Accepted version -> key in `schemas` (identical versions share one schema). */',
    '  versions: Record<string, string>;',
    '  schemas: Record<string, CrdSchemaVariant>;',
    '}',
    '',
    `export const CRD_SOURCE = ${JSON.stringify({ source, sha256 })} as const;`,
    '',
    'export const ISTIO_CRD_SCHEMAS: Readonly<Record<string, CrdKindSchemas>> = {',
    schemaEntries.join(',\n') + ',',
    '};',
    '',
  ].join('\n');

  const typesFile = [
    '// Generated by libs/galley/validation/tools/generate-istio-schemas.ts. Do not edit.',
    provenance,
    '// Field names, types and doc comments (each the first sentence of the',
    '// CRD field description) cover every field of every accepted kind.',
    '',
    emitTypes(
      kinds.map(({ info, variants }) => ({ kind: info.kind, spec: variants[0]!.spec })),
      index,
    ),
  ].join('\n');

  let stale = false;
  for (const [path, content] of [
    [SCHEMAS_OUT, schemasFile],
    [TYPES_OUT, typesFile],
  ] as const) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== content) {
        stale = true;
        console.error(`stale: ${path}`);
      }
    } else {
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  for (const line of index.unnamed) console.log(`note: unnamed structure ${line} (add it to tools/type-names.ts)`);
  if (stale) process.exit(1);
}

main();
