// One resource: envelope -> structure (CRD schema and CEL rules) -> Istio's
// semantic checks -> the normalised internal form. Never throws for bad
// input; every problem comes back as an issue.
import {
  FIELD_ALIASES,
  findRemovedFields,
  matchKind,
  pruneRemovedFields,
  normalizeResource,
  type IstioKind,
  type IstioResource,
  type ObjectMeta,
  DEFAULT_NAMESPACE,
} from '@sextant/config-model';
import { Findings, type Finding } from './findings';
import type { ValidationIssue } from './issue';
import { fieldPath, itemPath } from './issue';
import { checkMetadata, checkTopLevel } from './metadata-validator';
import { validateSpecSchema } from './schema-validator';
import { DRY_RUN_ANNOTATION } from './semantics/authorization-policy-validator';
import { SEMANTIC_VALIDATORS, type SemanticValidator } from './semantics/semantic-validators';

export interface ValidateOptions {
  /** Where the document came from; used in every issue. Default `<input>`. */
  file?: string;
  /** 0-based index of the document in its file. */
  index?: number;
  /** Namespace for a namespaced resource that names none. Default `default`. */
  defaultNamespace?: string;
}

export type ValidationResult =
  | { valid: true; resource: IstioResource; warnings: ValidationIssue[] }
  | { valid: false; errors: ValidationIssue[]; warnings: ValidationIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The same field under its alias and its JSON name is one field set twice. */
function checkAliases(f: Findings, kind: string, spec: unknown): void {
  for (const alias of FIELD_ALIASES) {
    if (alias.kind !== kind) continue;
    const visit = (node: unknown, steps: readonly string[], path: string): void => {
      if (steps.length === 0) {
        if (isObject(node) && node[alias.alias] !== undefined && node[alias.field] !== undefined) {
          f.error(fieldPath(path, alias.alias), 'CONFLICT', `${alias.alias} is another name for ${alias.field}; set only one of them`);
        }
        return;
      }
      const [step, ...rest] = steps;
      if (step === '*') {
        if (Array.isArray(node)) node.forEach((item, i) => visit(item, rest, itemPath(path, i)));
      } else if (isObject(node)) visit(node[step!], rest, fieldPath(path, step!));
    };
    visit(spec, alias.at, 'spec');
  }
}

/**
 * Validates one decoded document. On success returns the resource in its
 * internal form (storage apiVersion, defaulted namespace); warnings never
 * make a resource invalid.
 */
export function validateResource(obj: unknown, options: ValidateOptions = {}): ValidationResult {
  const file = options.file ?? '<input>';
  const defaultNamespace = options.defaultNamespace ?? DEFAULT_NAMESPACE;
  const f = new Findings();
  const doc = isObject(obj) ? obj : undefined;
  const metadata = isObject(doc?.['metadata']) ? doc['metadata'] : {};
  const kind = str(doc?.['kind']) ?? '';
  const identity = {
    kind: kind || undefined,
    namespace: str(metadata['namespace']) || defaultNamespace,
    name: str(metadata['name']) ?? '',
  };

  const finish = (): ValidationResult => {
    const toIssue = (x: Finding): ValidationIssue => {
      const issue: ValidationIssue = { ...x, file };
      if (options.index !== undefined) issue.index = options.index;
      if (identity.kind) Object.assign(issue, { kind: identity.kind, namespace: identity.namespace, name: identity.name });
      return issue;
    };
    const errors = f.items.filter((x) => x.severity === 'error').map(toIssue);
    const warnings = f.items.filter((x) => x.severity === 'warning').map(toIssue);
    return { valid: false, errors, warnings };
  };

  if (!doc) {
    f.error('', 'NOT_AN_OBJECT', `document must be a mapping with apiVersion, kind, metadata and spec (got ${obj === null ? 'null' : Array.isArray(obj) ? 'a sequence' : typeof obj})`);
    return finish();
  }
  checkTopLevel(f, doc);
  if (f.hasErrors && (typeof doc['apiVersion'] !== 'string' || typeof doc['kind'] !== 'string')) return finish();

  const apiVersion = doc['apiVersion'] as string;
  const match = matchKind(apiVersion, kind);
  if (match.status === 'unknown-kind') {
    f.error('kind', 'UNKNOWN_KIND', `kind ${JSON.stringify(kind)} (${apiVersion}) is not a kind Sextant accepts`);
    return finish();
  }
  if (match.status !== 'ok') {
    const versions = match.info.versions.map((v) => `${match.info.group}/${v}`).join(', ');
    f.error('apiVersion', 'UNSUPPORTED_VERSION', `${apiVersion} is not an accepted apiVersion for ${kind}; use one of ${versions}`);
    return finish();
  }
  const info = match.info;
  if (!info.namespaced) identity.namespace = '';

  checkMetadata(f, doc['metadata'], info.namespaced);
  const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {};
  if (kind !== 'AuthorizationPolicy' && DRY_RUN_ANNOTATION in annotations) {
    f.error(`metadata.annotations[${DRY_RUN_ANNOTATION}]`, 'RESERVED_ANNOTATION', `${kind} does not support the annotation ${DRY_RUN_ANNOTATION}; please remove it`);
  }
  // Fields Istio removed from its API are dropped, as the API server does, with a warning.
  let rawSpec = doc['spec'];
  if (isObject(rawSpec)) {
    const removed = findRemovedFields(kind, rawSpec);
    for (const use of removed) {
      f.warn(use.path, 'IGNORED', `${use.field.field} was removed from Istio's API and is ignored${use.field.hint ? `: ${use.field.hint}` : ''}`);
    }
    if (removed.length > 0) rawSpec = pruneRemovedFields(kind, rawSpec);
  }
  for (const issue of validateSpecSchema(kind, match.version, rawSpec)) f.error(issue.path, issue.code, issue.reason);
  if (f.hasErrors) return finish();

  // The spec now has the shape of its generated type; Istio's semantics apply.
  const spec = rawSpec ?? {};
  checkAliases(f, kind, spec);
  const validator = SEMANTIC_VALIDATORS[kind as IstioKind] as SemanticValidator<IstioKind>;
  validator(f, { spec: spec as never, namespace: identity.namespace, name: identity.name, metadata: metadata as unknown as ObjectMeta });
  if (f.hasErrors) return finish();

  const resource = normalizeResource({ ...doc, spec, metadata } as unknown as IstioResource, { defaultNamespace });
  const { warnings } = finish();
  return { valid: true, resource, warnings };
}
