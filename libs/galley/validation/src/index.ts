// @sextant/validation: decode Istio configuration from YAML/JSON and
// validate it as Istio does (CRD schema, CEL rules, semantic checks).
export { validateResource, type ValidateOptions, type ValidationResult } from './validate-resource';
export {
  validateDocuments,
  validateFiles,
  type DocumentsOptions,
  type DocumentsResult,
  type ValidatedDocument,
  type SkippedDocument,
} from './validate-documents';
export { decodeFile, decodeFiles, type InputFile, type DecodedDocument, type DecodeResult } from './yaml-decoder';
export {
  DEFAULT_DECODE_LIMITS,
  MAX_INPUT_BYTES,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENTS,
  MAX_NESTING_DEPTH,
  MAX_ALIAS_COUNT,
  type DecodeLimits,
} from './limits';
export { formatIssue, formatIssues, type ValidationIssue, type Severity, type DocumentSource } from './issue';
export { ISSUE_CODES, ALL_ISSUE_CODES, type IssueCode } from './errors';
export { warmUpSchemas } from './schema-validator';
export { parseDuration } from './duration';
export { CRD_SOURCE } from './generated/istio-crd-schemas';
