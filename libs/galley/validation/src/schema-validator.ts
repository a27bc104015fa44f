// Structural validation of `spec` against the JSON schemas generated from
// Istio's CRDs (src/generated), with Ajv. Each schema is compiled once, on
// first use, and reused. The CRDs' CEL rules run as an Ajv keyword.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CEL_RULES } from './cel-rules';
import { ISTIO_CRD_SCHEMAS } from './generated/istio-crd-schemas';
import { mapSchemaError } from './schema-error-mapper';
import type { ValidationIssue } from './issue';

export type SchemaIssue = Pick<ValidationIssue, 'code' | 'path' | 'reason'>;

interface CelRuleSpec {
  rule: string;
  message: string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32_MAX = 2 ** 32 - 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

type KeywordValidate = ((data: unknown, context?: { instancePath?: string }) => boolean) & { errors?: Partial<ErrorObject>[] };

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
  ajv.addFormat('uint32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n <= UINT32_MAX });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('uint64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) && n >= 0 });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => BASE64.test(s) });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) });

  ajv.addKeyword({
    keyword: 'x-kubernetes-validations',
    schemaType: 'array',
    errors: true,
    compile(rules: CelRuleSpec[]) {
      const checks = rules.map((r) => {
        const check = CEL_RULES[r.rule];
        if (!check) throw new Error(`no implementation for CEL rule: ${r.rule}`);
        return { ...r, check };
      });
      const validate: KeywordValidate = (data) => {
        const errors: Partial<ErrorObject>[] = [];
        for (const { rule, message, check } of checks) {
          const result = check(data);
          if (result !== true) {
            errors.push({ keyword: 'x-kubernetes-validations', message: typeof result === 'string' ? result : message, params: { rule } });
          }
        }
        validate.errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });

  ajv.addKeyword({
    keyword: 'x-sextant-at-most-one-of',
    schemaType: 'array',
    errors: true,
    compile(groups: string[][]) {
      const validate: KeywordValidate = (data) => {
        const errors: Partial<ErrorObject>[] = [];
        if (typeof data === 'object' && data !== null) {
          for (const fields of groups) {
            const set = fields.filter((f) => (data as Record<string, unknown>)[f] !== undefined);
            if (set.length > 1) {
              errors.push({
                keyword: 'x-sextant-at-most-one-of',
                message: `only one of ${fields.join(', ')} may be set (got ${set.join(', ')})`,
                params: { fields, set },
              });
            }
          }
        }
        validate.errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });

  ajv.addKeyword({
    keyword: 'x-sextant-unique-keys',
    schemaType: 'array',
    errors: true,
    compile(keys: string[]) {
      const validate: KeywordValidate = (data, context) => {
        const errors: Partial<ErrorObject>[] = [];
        if (Array.isArray(data)) {
          const seen = new Map<string, number>();
          data.forEach((item, i) => {
            if (typeof item !== 'object' || item === null) return;
            const id = JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k]));
            const first = seen.get(id);
            if (first === undefined) seen.set(id, i);
            else {
              const shown = keys.map((k) => `${k} ${JSON.stringify((item as Record<string, unknown>)[k])}`).join(', ');
              errors.push({
                keyword: 'x-sextant-unique-keys',
                instancePath: `${context?.instancePath ?? ''}/${i}`,
                message: `Duplicate value: ${shown}`,
                params: { keys, first },
              });
            }
          });
        }
        validate.errors = errors;
        return errors.length === 0;
      };
      return validate;
    },
  });
  return ajv;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, { validate: ValidateFunction; schema: Record<string, unknown>; specRequired: boolean }>();

function compiledFor(kind: string, version: string) {
  const entry = ISTIO_CRD_SCHEMAS[kind];
  const variantKey = entry?.versions[version];
  const variant = variantKey === undefined ? undefined : entry?.schemas[variantKey];
  if (!variant) return undefined;
  const cacheKey = `${kind}/${variantKey}`;
  let found = compiled.get(cacheKey);
  if (!found) {
    ajv ??= createAjv();
    found = { validate: ajv.compile(variant.schema), schema: variant.schema, specRequired: variant.specRequired };
    compiled.set(cacheKey, found);
  }
  return found;
}

/** true when a schema exists for this kind and version. */
export function hasSchema(kind: string, version: string): boolean {
  return ISTIO_CRD_SCHEMAS[kind]?.versions[version] !== undefined;
}

/**
 * Checks `spec` (as found in the document, possibly undefined) against the
 * kind's schema. Issues carry paths starting at `spec`. Unknown kind or
 * version: no issues (the caller checks those first).
 */
export function validateSpecSchema(kind: string, version: string, spec: unknown): SchemaIssue[] {
  const entry = compiledFor(kind, version);
  if (!entry) return [];
  if (spec === undefined) {
    return entry.specRequired ? [{ code: 'REQUIRED', path: 'spec', reason: 'required field is missing' }] : [];
  }
  if (entry.validate(spec)) return [];
  return (entry.validate.errors ?? []).map((e) => mapSchemaError(e, entry.schema));
}

/** Compiles every schema now (e.g. at process start) instead of on first use. */
export function warmUpSchemas(): void {
  for (const [kind, entry] of Object.entries(ISTIO_CRD_SCHEMAS)) {
    for (const version of Object.keys(entry.versions)) compiledFor(kind, version);
  }
}
