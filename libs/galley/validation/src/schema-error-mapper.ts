// Ajv's errors, in our terms: a field path like `spec.http[1].route[0].weight`
// (map keys in brackets, as Kubernetes writes them), a stable code and a
// reason a person can act on.
import type { ErrorObject } from 'ajv';
import type { IssueCode } from './errors';
import { fieldPath, itemPath, keyPath, show, type ValidationIssue } from './issue';

type Schema = Record<string, unknown>;
export type MappedIssue = Pick<ValidationIssue, 'code' | 'path' | 'reason'>;

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

function deref(schema: Schema, root: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = root['$defs'];
    const target = isObject(defs) ? defs[ref.slice('#/$defs/'.length)] : undefined;
    return isObject(target) ? target : {};
  }
  return schema;
}

/** Renders an Ajv instancePath below `spec`, using the schema to tell fields from map keys. */
export function renderPath(root: Schema, instancePath: string): { path: string; schema: Schema } {
  let path = 'spec';
  let schema = deref(root, root);
  if (instancePath === '') return { path, schema };
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const props = schema['properties'];
    const additional = schema['additionalProperties'];
    if (isObject(props) && isObject(props[seg])) {
      path = fieldPath(path, seg);
      schema = deref(props[seg] as Schema, root);
    } else if (isObject(schema['items']) && /^\d+$/.test(seg)) {
      path = itemPath(path, Number(seg));
      schema = deref(schema['items'] as Schema, root);
    } else if (isObject(additional)) {
      path = keyPath(path, seg);
      schema = deref(additional, root);
    } else {
      path = /^\d+$/.test(seg) ? itemPath(path, Number(seg)) : fieldPath(path, seg);
      schema = {};
    }
  }
  return { path, schema };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const normalise = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** A defined field the unknown one was probably meant to be. */
function suggestion(unknown: string, schema: Schema): string {
  const props = schema['properties'];
  if (!isObject(props)) return '';
  const match = Object.keys(props).find((k) => normalise(k) === normalise(unknown));
  return match ? `; did you mean "${match}"?` : '';
}

function lengthWord(keyword: string, data: unknown): string {
  if (Array.isArray(data)) return 'items';
  if (isObject(data)) return 'entries';
  return keyword.endsWith('Length') ? 'characters' : 'items';
}

export function mapSchemaError(error: ErrorObject, root: Schema): MappedIssue {
  const { path, schema } = renderPath(root, error.instancePath);
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;
  const out = (code: IssueCode, reason: string, at: string = path): MappedIssue => ({ code, path: at, reason });

  switch (error.keyword) {
    case 'required':
      return out('REQUIRED', 'required field is missing', fieldPath(path, String(params['missingProperty'])));
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      return out('UNKNOWN_FIELD', `unknown field "${field}"${suggestion(field, schema)}`, fieldPath(path, field));
    }
    case 'type': {
      const expected = String(params['type']).split(',').join(' or ');
      return out('WRONG_TYPE', `must be of type ${expected} (got ${jsonType(data)}${data === null || isObject(data) || Array.isArray(data) ? '' : ` ${show(data)}`})`);
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return out('UNSUPPORTED_VALUE', `Unsupported value: ${show(data)}: supported values: ${allowed}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return out('OUT_OF_RANGE', `must be ${String(params['comparison'])} ${String(params['limit'])} (got ${show(data)})`);
    case 'minLength':
    case 'minItems':
    case 'minProperties': {
      const limit = Number(params['limit']);
      if (limit === 1) return out('TOO_SHORT', `must not be empty`);
      return out('TOO_SHORT', `must have at least ${limit} ${lengthWord(error.keyword, data)}`);
    }
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties': {
      const size = typeof data === 'string' || Array.isArray(data) ? data.length : isObject(data) ? Object.keys(data).length : 0;
      return out('TOO_LONG', `must have at most ${String(params['limit'])} ${lengthWord(error.keyword, data)} (got ${size})`);
    }
    case 'pattern':
      return out('PATTERN_MISMATCH', `must match the pattern ${String(params['pattern'])} (got ${show(data)})`);
    case 'format':
      return out('INVALID_FORMAT', `must be a valid ${String(params['format'])} (got ${show(data)})`);
    case 'uniqueItems':
      return out('DUPLICATE_VALUE', `Duplicate value: items ${String(params['j'])} and ${String(params['i'])} are equal`);
    case 'x-kubernetes-validations':
      return out('RULE_VIOLATION', error.message ?? 'CEL rule failed');
    case 'x-sextant-at-most-one-of':
      return out('MUTUALLY_EXCLUSIVE', error.message ?? 'fields are mutually exclusive');
    case 'x-sextant-unique-keys': {
      const first = `${path.replace(/\[\d+\]$/, '')}[${String(params['first'])}]`;
      return out('DUPLICATE_VALUE', `${error.message ?? 'Duplicate value'} (already used by ${first})`);
    }
    default:
      return out('INVALID_VALUE', error.message ?? `fails schema keyword ${error.keyword}`);
  }
}
