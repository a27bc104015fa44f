// Multi-document YAML (and JSON, which is YAML) to plain objects, refusing
// hostile input without harm: every limit in limits.ts is checked before the
// work it bounds, and every refusal names the file and the document.
import { isMap, isScalar, parseDocument, Scalar, visit, type Document, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import { splitDocuments } from './document-splitter';
import type { IssueCode } from './errors';
import type { ValidationIssue } from './issue';
import { DEFAULT_DECODE_LIMITS, formatBytes, type DecodeLimits } from './limits';
import { estimateNestingDepth, valueDepth } from './nesting-scan';
import { decodeUtf8, lineAndColumn } from './utf8';

export interface InputFile {
  /** Name used in every issue about this input, e.g. the file path. */
  file: string;
  /** Raw bytes (checked to be UTF-8) or text. */
  content: string | Uint8Array;
}

export interface DecodedDocument {
  file: string;
  /** 0-based index among the file's non-empty documents. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  value: Record<string, unknown>;
}

export interface DecodeResult {
  /** Documents that decoded; others are described in `errors`. */
  documents: DecodedDocument[];
  /** Empty when every document decoded. */
  errors: ValidationIssue[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function issue(code: IssueCode, file: string, index: number | undefined, reason: string): ValidationIssue {
  const out: ValidationIssue = { code, severity: 'error', file, path: '', reason };
  if (index !== undefined) out.index = index;
  return out;
}

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
}

/** Decodes one file. Same as decodeFiles with a single input. */
export function decodeFile(file: string, content: string | Uint8Array, limits?: Partial<DecodeLimits>): DecodeResult {
  return decodeFiles([{ file, content }], limits);
}

/**
 * Decodes an input set (one or more files). Whole-set limits (bytes, document
 * count) refuse the whole set; per-document problems refuse that document
 * only. Never throws for bad input.
 */
export function decodeFiles(files: readonly InputFile[], overrides: Partial<DecodeLimits> = {}): DecodeResult {
  const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...overrides };
  const errors: ValidationIssue[] = [];

  let total = 0;
  for (const { file, content } of files) {
    const size = byteLength(content);
    total += size;
    if (total > limits.maxInputBytes) {
      const what = size > limits.maxInputBytes ? `input is ${formatBytes(size)}` : `input set reaches ${formatBytes(total)} with this file`;
      errors.push(issue('INPUT_TOO_LARGE', file, undefined, `${what}; the limit for one input set is ${formatBytes(limits.maxInputBytes)} (MAX_INPUT_BYTES)`));
      return { documents: [], errors };
    }
  }

  const texts: { file: string; text: string }[] = [];
  for (const { file, content } of files) {
    if (typeof content === 'string') {
      if (LONE_SURROGATE.test(content)) {
        errors.push(issue('INVALID_UTF8', file, undefined, 'text contains an unpaired UTF-16 surrogate and cannot be UTF-8'));
        continue;
      }
      texts.push({ file, text: content.charCodeAt(0) === 0xfeff ? content.slice(1) : content });
      continue;
    }
    const decoded = decodeUtf8(content);
    if (!decoded.ok) {
      const { line, column } = lineAndColumn(content, decoded.offset);
      const before = new TextDecoder('utf-8').decode(content.subarray(0, decoded.offset));
      const index = Math.max(0, splitDocuments(before).length - 1);
      errors.push(
        issue('INVALID_UTF8', file, index, `invalid UTF-8 byte 0x${content[decoded.offset]!.toString(16).padStart(2, '0')} at line ${line}, column ${column} (byte offset ${decoded.offset})`),
      );
      continue;
    }
    texts.push({ file, text: decoded.text });
  }

  const split = texts.map(({ file, text }) => ({ file, chunks: splitDocuments(text) }));
  const count = split.reduce((n, s) => n + s.chunks.length, 0);
  if (count > limits.maxDocuments) {
    const file = split.find((s) => s.chunks.length > 0)?.file ?? files[0]?.file ?? '';
    errors.push(issue('TOO_MANY_DOCUMENTS', file, undefined, `input set holds ${count} documents; the limit is ${limits.maxDocuments} (MAX_DOCUMENTS)`));
    return { documents: [], errors };
  }

  const documents: DecodedDocument[] = [];
  for (const { file, chunks } of split) {
    chunks.forEach((chunk, index) => {
      const result = decodeChunk(chunk.text, chunk.line, limits);
      if ('code' in result) errors.push(issue(result.code, file, index, result.reason));
      else documents.push({ file, index, line: chunk.line, value: result.value });
    });
  }
  return { documents, errors };
}

// Kubernetes reads YAML with go-yaml (YAML 1.1 types: `yes`/`on` are
// booleans, `0755` is octal), but without timestamps or sexagesimal numbers,
// which would turn `2001:0:0:0:0:0:0:1` or a date into something else.
const FLOAT_WITH_DIGIT = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/;
const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) =>
    tags
      .filter((t) => typeof t === 'string' || (!t.tag.endsWith(':timestamp') && t.format !== 'TIME'))
      // A float needs a digit: a lone `.` (exportTo: [.]) stays a string, as in go-yaml.
      .map((t) => (typeof t !== 'string' && t.tag.endsWith(':float') && t.format === undefined && t.test?.source.includes('\\.[0-9_]*$') ? { ...t, test: FLOAT_WITH_DIGIT } : t)),
  merge: true,
  uniqueKeys: true,
  prettyErrors: true,
  strict: true,
};

/**
 * go-yaml reads `[1.2.3.4, 2001:db8::]` as two strings; the YAML 1.2 rules
 * the \`yaml\` package follows read `2001:db8::` there as a one-entry map
 * `{"2001:db8:": null}`. Istio's own test data relies on go-yaml's reading
 * (IPv6 addresses in flow sequences), so such entries become strings again.
 */
function keepColonsInFlowScalars(doc: Document, text: string): void {
  visit(doc, {
    Seq(_, seq) {
      if (!seq.flow) return;
      seq.items = seq.items.map((item) => {
        if (!isMap(item) || !item.flow || item.items.length !== 1) return item;
        const { key, value } = item.items[0]!;
        if (!isScalar(key) || key.type !== 'PLAIN' || !key.range || !isScalar(value) || value.source !== '') return item;
        const colon = key.range[1];
        if (text[colon] !== ':' || ![',', ']'].includes(text[colon + 1] ?? '')) return item;
        return new Scalar(text.slice(key.range[0], colon + 1));
      });
    },
  });
}

type ChunkResult = { value: Record<string, unknown> } | { code: IssueCode; reason: string };

function decodeChunk(text: string, firstLine: number, limits: DecodeLimits): ChunkResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > limits.maxDocumentBytes) {
    return { code: 'DOCUMENT_TOO_LARGE', reason: `document is ${formatBytes(size)}; the limit for one document is ${formatBytes(limits.maxDocumentBytes)} (MAX_DOCUMENT_BYTES)` };
  }
  const tooDeep = (depth: string) => ({
    code: 'NESTING_TOO_DEEP' as const,
    reason: `document nests ${depth} levels deep; the limit is ${limits.maxNestingDepth} (MAX_NESTING_DEPTH)`,
  });
  // The scan may over-estimate a little; the exact check follows the parse.
  const estimate = estimateNestingDepth(text, 2 * limits.maxNestingDepth);
  if (estimate > 2 * limits.maxNestingDepth) return tooDeep(`more than ${2 * limits.maxNestingDepth}`);

  const doc = parseDocument(text, PARSE_OPTIONS);
  const first = doc.errors[0];
  if (first) {
    const line = (first.linePos?.[0]?.line ?? 1) + firstLine - 1;
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    if (first.code === 'DUPLICATE_KEY') return { code: 'DUPLICATE_KEY', reason: `${message} (line ${line})` };
    if (first.code === 'RESOURCE_EXHAUSTION') return tooDeep('too many');
    return { code: 'YAML_SYNTAX', reason: `${message} (line ${line})` };
  }
  keepColonsInFlowScalars(doc, text);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      return { code: 'TOO_MANY_ALIASES', reason: `document expands YAML aliases more than ${limits.maxAliasCount} times (MAX_ALIAS_COUNT); refusing a possible alias bomb` };
    }
    return { code: 'YAML_SYNTAX', reason: err instanceof Error ? err.message : String(err) };
  }
  const depth = valueDepth(value, limits.maxNestingDepth);
  if (depth > limits.maxNestingDepth) return tooDeep(String(depth));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'a sequence' : `a ${typeof value}`;
    return { code: 'NOT_AN_OBJECT', reason: `document must be a mapping with apiVersion, kind, metadata and spec (got ${got})` };
  }
  return { value: value as Record<string, unknown> };
}
