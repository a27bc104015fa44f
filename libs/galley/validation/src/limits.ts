// Limits that keep hostile input from costing more than a refusal. Each is a
// named constant; callers may pass other values (DecodeLimits), never none.

/** Bytes in one input set (one validate or apply request, all files together). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** Bytes in one document; Kubernetes stores at most ~1.5 MiB per object. */
export const MAX_DOCUMENT_BYTES = 1536 * 1024;
/** Documents in one input set. */
export const MAX_DOCUMENTS = 10_000;
/** Nested mappings and sequences in one document; Istio's deepest field is ~12 levels. */
export const MAX_NESTING_DEPTH = 64;
/** YAML alias expansions in one document (the `yaml` package's maxAliasCount). */
export const MAX_ALIAS_COUNT = 100;

export interface DecodeLimits {
  maxInputBytes: number;
  maxDocumentBytes: number;
  maxDocuments: number;
  maxNestingDepth: number;
  maxAliasCount: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxInputBytes: MAX_INPUT_BYTES,
  maxDocumentBytes: MAX_DOCUMENT_BYTES,
  maxDocuments: MAX_DOCUMENTS,
  maxNestingDepth: MAX_NESTING_DEPTH,
  maxAliasCount: MAX_ALIAS_COUNT,
});

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
