// Validation issues as analysis messages, as Istio's schema analyzer turns
// them: errors are IST0106 SchemaValidationError, deprecations IST0002,
// other warnings IST0133 SchemaWarning. Validation's own unreachable-rule
// warnings are left out: the route analyzer reports those (IST0130/IST0131)
// with an exact superset check instead of a heuristic.
import type { ValidationIssue } from '@sextant/validation';
import { createMessage, type Message, type MessageOrigin } from './message';

export const SCHEMA_ANALYZER = 'schema.ValidationAnalyzer';

const LEFT_TO_ANALYZERS = new Set(['UNREACHABLE_RULE', 'INEFFECTIVE_MATCH']);

export function validationMessage(issue: ValidationIssue, defaultNamespace = 'default'): Message | undefined {
  if (issue.severity === 'warning' && LEFT_TO_ANALYZERS.has(issue.code)) return undefined;
  const origin: MessageOrigin = {
    kind: issue.kind ?? '',
    namespace: issue.kind ? (issue.namespace ?? defaultNamespace) : '',
    name: issue.name ?? '',
    file: issue.file,
    ...(issue.index !== undefined ? { index: issue.index } : {}),
  };
  if (issue.severity === 'error') return createMessage('IST0106', SCHEMA_ANALYZER, `Schema validation error: ${issue.reason} (${issue.code})`, origin, issue.path || undefined);
  if (issue.code === 'DEPRECATED') return createMessage('IST0002', SCHEMA_ANALYZER, `Deprecated: ${issue.reason}`, origin, issue.path || undefined);
  return createMessage('IST0133', SCHEMA_ANALYZER, `Schema validation warning: ${issue.reason} (${issue.code})`, origin, issue.path || undefined);
}

export function validationMessages(issues: readonly ValidationIssue[], defaultNamespace?: string): Message[] {
  return issues.map((i) => validationMessage(i, defaultNamespace)).filter((m): m is Message => m !== undefined);
}
