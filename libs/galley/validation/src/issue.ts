// The one shape every problem is reported in, and its one-line rendering:
//   bad.yaml#2 VirtualService/default/reviews: spec.http[1].route[0].weight: must be >= 0 (got -5)
import type { IssueCode } from './errors';

export type Severity = 'error' | 'warning';

export interface ValidationIssue {
  code: IssueCode;
  severity: Severity;
  /** File (or other source name) the document came from. */
  file: string;
  /** 0-based index of the document in its file; absent when the issue concerns the whole input. */
  index?: number;
  /** The resource, when the document got far enough to name one. */
  kind?: string;
  namespace?: string;
  name?: string;
  /** Field path, e.g. `spec.http[1].route[0].weight`; '' for the document as a whole. */
  path: string;
  reason: string;
}

/** Where a document came from. */
export interface DocumentSource {
  file: string;
  index?: number;
}

export function formatIssue(issue: ValidationIssue): string {
  let where = issue.file;
  if (issue.index !== undefined) where += `#${issue.index}`;
  if (issue.kind) where += ` ${issue.kind}/${issue.namespace ? `${issue.namespace}/` : ''}${issue.name || '?'}`;
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}: ${severity}${path}${issue.reason}`;
}

/** One line per issue, in the order given. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec` + `http` -> `spec.http`. */
export function fieldPath(base: string, name: string): string {
  if (!IDENTIFIER.test(name)) return `${base}[${name}]`;
  return base ? `${base}.${name}` : name;
}

/** `spec.http` + 1 -> `spec.http[1]`. */
export function itemPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** Map entries, Kubernetes style: `metadata.labels` + `app` -> `metadata.labels[app]`. */
export function keyPath(base: string, key: string): string {
  return `${base}[${key}]`;
}

/** A value for a message: JSON, shortened. */
export function show(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? value.toString() : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
