// Helpers shared by the validation specs.
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { validateResource, type ValidationIssue, type ValidationResult } from '../src';

/** shared/ beside the repository: `../../../../shared` from this directory's project root. */
export const SHARED = resolve(import.meta.dirname, '../../../../../shared');
export const FIXTURES = resolve(import.meta.dirname, 'fixtures');

const API_VERSIONS: Record<string, string> = {
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Sidecar: 'networking.istio.io/v1',
  WorkloadEntry: 'networking.istio.io/v1',
  PeerAuthentication: 'security.istio.io/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
};

export interface ResourceInput {
  kind: string;
  spec?: unknown;
  name?: string;
  namespace?: string;
  apiVersion?: string;
  metadata?: Record<string, unknown>;
}

export function resource({ kind, spec, name = 'test', namespace = 'default', apiVersion, metadata }: ResourceInput): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    apiVersion: apiVersion ?? API_VERSIONS[kind] ?? 'v1',
    kind,
    metadata: metadata ?? { name, namespace },
  };
  if (spec !== undefined) doc['spec'] = spec;
  return doc;
}

export function validate(input: ResourceInput): ValidationResult {
  return validateResource(resource(input), { file: 'test.yaml', index: 0 });
}

export function errorsOf(result: ValidationResult): ValidationIssue[] {
  return result.valid ? [] : result.errors;
}

/** For failure messages: the document as YAML and its issues. */
export function explain(doc: unknown, result: ValidationResult): string {
  const issues = [...errorsOf(result), ...result.warnings].map((i) => `  ${i.severity} ${i.code} ${i.path}: ${i.reason}`);
  return `${stringify(doc)}\n${issues.join('\n')}`;
}

export interface InvalidCase {
  name: string;
  input: ResourceInput;
  /** The field path the error must name, exactly. */
  path: string;
  /** Text the reason must contain (or match). */
  reason: string | RegExp;
  code?: ValidationIssue['code'];
}

/** The error a case demands, or undefined (with the document and all issues for the failure message). */
export function findExpectedError(c: InvalidCase): { hit: ValidationIssue | undefined; result: ValidationResult; detail: string } {
  const result = validate(c.input);
  const hit = errorsOf(result).find(
    (e) => e.path === c.path && (typeof c.reason === 'string' ? e.reason.includes(c.reason) : c.reason.test(e.reason)),
  );
  return { hit, result, detail: explain(resource(c.input), result) };
}
