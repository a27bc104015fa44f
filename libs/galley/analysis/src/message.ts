// One analysis finding, how findings are ordered, and their one-line form:
//   Error [IST0101] (VirtualService default/reviews bookinfo.yaml#2) Referenced host not found: "reviewz" at spec.http[0].route[0].destination.host
import { LEVEL_ORDER, MESSAGE_TYPES, type Level, type MessageCode } from './messages';

/** The resource a message is about, and where it was read from when known. */
export interface MessageOrigin {
  /** '' when the document did not get far enough to name a kind. */
  kind: string;
  /** '' for cluster-scoped or unknown. */
  namespace: string;
  name: string;
  /** File (or other source name), when the resource came from one. */
  file?: string;
  /** 0-based document index in that file. */
  index?: number;
}

export interface Message {
  code: MessageCode;
  /** The message type's name, e.g. ReferencedResourceNotFound. */
  name: string;
  level: Level;
  /** Analyzer that reported it, e.g. `virtualservice.DestinationHostAnalyzer`. */
  analyzer: string;
  /** Absent for messages about the input as a whole (e.g. a file that is not YAML). */
  origin?: MessageOrigin;
  /** Field path in the resource, e.g. `spec.http[0].route[0].destination.host`; absent when the whole resource is meant. */
  path?: string;
  /** What is wrong, in one sentence (no trailing period). */
  text: string;
}

export function createMessage(code: MessageCode, analyzer: string, text: string, origin?: MessageOrigin, path?: string): Message {
  const t = MESSAGE_TYPES[code];
  return {
    code,
    name: t.name,
    level: t.level,
    analyzer,
    ...(origin ? { origin } : {}),
    ...(path ? { path } : {}),
    text,
  };
}

/** `VirtualService default/reviews bookinfo.yaml#2` */
export function describeOrigin(origin: MessageOrigin): string {
  const parts: string[] = [];
  if (origin.kind) parts.push(`${origin.kind} ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name || '?'}`);
  if (origin.file) parts.push(`${origin.file}${origin.index !== undefined ? `#${origin.index}` : ''}`);
  return parts.join(' ');
}

export function formatMessage(m: Message): string {
  const where = m.origin ? ` (${describeOrigin(m.origin)})` : '';
  return `${m.level} [${m.code}]${where} ${m.text}${m.path ? ` at ${m.path}` : ''}`;
}

const cmp = (a: string | number | undefined, b: string | number | undefined): number => {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
};

/** Errors first, then by namespace, kind, name, code, path and text; identical messages once. */
export function sortMessages(messages: readonly Message[]): Message[] {
  const sorted = [...messages].sort(
    (a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      cmp(a.origin?.namespace, b.origin?.namespace) ||
      cmp(a.origin?.kind, b.origin?.kind) ||
      cmp(a.origin?.name, b.origin?.name) ||
      cmp(a.code, b.code) ||
      cmp(a.path, b.path) ||
      cmp(a.text, b.text),
  );
  const out: Message[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last && last.code === m.code && last.text === m.text && last.path === m.path && sameOrigin(last.origin, m.origin)) continue;
    out.push(m);
  }
  return out;
}

function sameOrigin(a: MessageOrigin | undefined, b: MessageOrigin | undefined): boolean {
  if (!a || !b) return a === b;
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name && a.file === b.file && a.index === b.index;
}

export interface MessageCounts {
  errors: number;
  warnings: number;
  info: number;
}

export function countMessages(messages: readonly Message[]): MessageCounts {
  const out = { errors: 0, warnings: 0, info: 0 };
  for (const m of messages) {
    if (m.level === 'Error') out.errors++;
    else if (m.level === 'Warning') out.warnings++;
    else out.info++;
  }
  return out;
}
