// Every issue code this library reports, with what it means. Codes are
// stable: callers (Galley's API, the CLI, the webhook) match on them. A test
// checks that each code is listed in README.md.

export const ISSUE_CODES = {
  // Decoding (whole input or one document).
  INPUT_TOO_LARGE: 'The input set is larger than the byte limit for one set (MAX_INPUT_BYTES).',
  DOCUMENT_TOO_LARGE: 'One document is larger than the byte limit for a document (MAX_DOCUMENT_BYTES).',
  TOO_MANY_DOCUMENTS: 'The input set holds more documents than MAX_DOCUMENTS.',
  NESTING_TOO_DEEP: 'A document nests collections deeper than MAX_NESTING_DEPTH.',
  TOO_MANY_ALIASES: 'A document expands YAML aliases more than MAX_ALIAS_COUNT allows (alias bomb).',
  INVALID_UTF8: 'The input is not valid UTF-8.',
  YAML_SYNTAX: 'The document is not well-formed YAML or JSON.',
  DUPLICATE_KEY: 'A mapping repeats a key.',
  NOT_AN_OBJECT: 'The document is not a mapping (object).',

  // The envelope: apiVersion, kind, metadata.
  UNKNOWN_KIND: 'The kind is not one Sextant accepts.',
  UNSUPPORTED_VERSION: "The apiVersion's group or version is not accepted for this kind.",
  INVALID_NAME: 'metadata.name or metadata.namespace is not a valid Kubernetes name.',
  INVALID_METADATA: 'A metadata field has the wrong form (labels, annotations, timestamps...).',
  RESERVED_ANNOTATION: 'An annotation that users may not set, or that this kind does not support.',

  // Structure, from Istio's CRD schemas.
  UNKNOWN_FIELD: 'A field that the schema does not define.',
  WRONG_TYPE: 'A value of the wrong JSON type.',
  REQUIRED: 'A required field is missing or empty.',
  UNSUPPORTED_VALUE: 'A value outside the enumeration the schema allows.',
  OUT_OF_RANGE: 'A number outside the allowed range.',
  TOO_SHORT: 'A string, list or map shorter than allowed.',
  TOO_LONG: 'A string, list or map longer than allowed.',
  PATTERN_MISMATCH: 'A string that does not match the pattern the schema requires.',
  INVALID_FORMAT: 'A value that does not match its format (int32, base64, date-time...).',
  DUPLICATE_VALUE: 'A value that must be unique in its list appears twice.',
  MUTUALLY_EXCLUSIVE: 'Fields that cannot be set together are set together.',
  RULE_VIOLATION: "One of the CRD's CEL rules (x-kubernetes-validations) fails.",

  // Semantics, from Istio's validation code.
  INVALID_VALUE: 'A value that is well-typed but not acceptable here.',
  INVALID_HOST: 'A host name, wildcard host or namespace/host pair that is malformed.',
  INVALID_PORT: 'A port number outside 1-65535, or a malformed port name.',
  INVALID_DURATION: 'A duration that is malformed, too small or too precise.',
  INVALID_REGEX: 'A regular expression that RE2 (Envoy) does not accept.',
  INVALID_HEADER: 'An HTTP header name or value that is malformed or may not be used here.',
  INVALID_LABEL: 'A label key or value, or a workload selector, that is malformed.',
  INVALID_ADDRESS: 'An IP address, CIDR range, unix socket path or URI that is malformed.',
  INVALID_EXPORT_TO: 'An exportTo list that is malformed or contradictory.',
  INVALID_TLS: 'TLS settings that do not fit the TLS mode.',
  INVALID_MATCH: 'A match block that is malformed.',
  INVALID_PROTOCOL: 'A protocol name Istio does not know.',
  CONFLICT: 'Settings that contradict each other.',
  DUPLICATE: 'A name, host or port that must be unique is repeated.',
  MISSING: 'Something the semantics require is absent (e.g. a route, a server, a host).',

  // Warnings (never refuse a resource).
  DEPRECATED: 'A deprecated field or form.',
  IGNORED: 'A setting that has no effect where it is.',
  UNREACHABLE_RULE: 'A route rule that no request can reach.',
  INEFFECTIVE_MATCH: 'A match that an earlier match already covers.',
  SUSPICIOUS: 'A setting that is valid but probably not what was meant.',
} as const;

export type IssueCode = keyof typeof ISSUE_CODES;

export const ALL_ISSUE_CODES = Object.keys(ISSUE_CODES) as IssueCode[];
