// google.protobuf.Any packing for Envoy resources. Pilot's translation builds
// plain objects (camelCase fields, as in ./generated); the xDS server packs
// them into Any bytes here, and tests and debug pages unpack them again.
//
// Nested Any fields (typed_config and friends) may be given either packed
// ({ type_url, value }) or in JSON style ({ '@type': url, ...fields }).
import protobuf from 'protobufjs';
import { ProtoError } from './errors';
import { envoyMessageType, envoyRoot, typeNameOf } from './envoy-root';

/** google.protobuf.Any as @grpc/proto-loader and protobufjs spell it. */
export interface PackedAny {
  type_url: string;
  value: Buffer;
}

/** A nested Any in JSON style. */
export interface JsonAny {
  '@type': string;
  [field: string]: unknown;
}

export interface EncodeOptions {
  /** Reject fields the message type does not have (default true: catches snake_case typos). */
  strict?: boolean;
}

/** Options matching the generated `__Output` types. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };

export function isPackedAny(x: unknown): x is PackedAny {
  return typeof x === 'object' && x !== null && typeof (x as PackedAny).type_url === 'string' && (x as PackedAny).value instanceof Uint8Array;
}

export function isJsonAny(x: unknown): x is JsonAny {
  return typeof x === 'object' && x !== null && typeof (x as JsonAny)['@type'] === 'string';
}

/**
 * A nested typed config in JSON style, typed by its message: e.g.
 * `typedAny<HttpConnectionManager>(EXTENSION_TYPE_URL.httpConnectionManager, { statPrefix: 'x', ... })`.
 * Assignable to any Any field of the generated types.
 */
export function typedAny<T extends object>(typeUrl: string, message: T): JsonAny & T {
  return { '@type': typeUrl, ...message } as JsonAny & T;
}

/** Encodes a plain object as the message a type URL names. */
export function encodeMessage(typeUrl: string, object: object, options: EncodeOptions = {}): Buffer {
  const type = envoyMessageType(typeUrl);
  if (options.strict ?? true) {
    const problems: string[] = [];
    checkFields(type, object, type.name, problems, 0);
    if (problems.length > 0) {
      throw new ProtoError('PROTO_MESSAGE_INVALID', `${typeNameOf(typeUrl)}: ${problems.slice(0, 10).join('; ')}`);
    }
  }
  try {
    return Buffer.from(type.encode(type.fromObject(object)).finish());
  } catch (err) {
    throw new ProtoError('PROTO_MESSAGE_INVALID', `${typeNameOf(typeUrl)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Decodes bytes into a plain object shaped like the generated `__Output` type. */
export function decodeMessage<T = Record<string, unknown>>(typeUrl: string, bytes: Uint8Array): T {
  const type = envoyMessageType(typeUrl);
  try {
    return type.toObject(type.decode(bytes), TO_OBJECT) as T;
  } catch (err) {
    throw new ProtoError('PROTO_DECODE_INVALID', `${typeNameOf(typeUrl)}: ${(err as Error).message}`, { cause: err });
  }
}

/** Packs a plain resource object into Any bytes. */
export function packAny(typeUrl: string, object: object, options?: EncodeOptions): PackedAny {
  return { type_url: typeUrl, value: encodeMessage(typeUrl, object, options) };
}

/** Unpacks an Any (packed or JSON style) into its type URL and a plain object. */
export function unpackAny<T = Record<string, unknown>>(any: PackedAny | JsonAny): { typeUrl: string; message: T } {
  if (isJsonAny(any)) {
    const { '@type': typeUrl, ...fields } = any;
    return { typeUrl, message: decodeMessage<T>(typeUrl, encodeMessage(typeUrl, fields)) };
  }
  return { typeUrl: any.type_url, message: decodeMessage<T>(any.type_url, any.value) };
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function checkFields(type: protobuf.Type, object: unknown, path: string, problems: string[], depth: number): void {
  if (typeof object !== 'object' || object === null || depth > 64 || object instanceof Uint8Array) return;
  if (type.fullName === '.google.protobuf.Any') {
    checkAny(object, path, problems, depth);
    return;
  }
  for (const [key, value] of Object.entries(object)) {
    const field = type.fields[key];
    if (!field) {
      // Virtual oneof names (routeSpecifier: 'rds') come back from decoding; accept them.
      if (type.oneofs?.[key] && typeof value === 'string') continue;
      const hint = type.fields[camel(key)] ? ` (did you mean ${camel(key)}?)` : '';
      problems.push(`${path}.${key}: no such field in ${type.name}${hint}`);
      continue;
    }
    const resolved = field.resolve().resolvedType;
    if (!(resolved instanceof protobuf.Type) || value === null || value === undefined) continue;
    const items = field.map ? Object.values(value as object) : field.repeated && Array.isArray(value) ? value : [value];
    items.forEach((item, i) => checkFields(resolved, item, field.repeated ? `${path}.${key}[${i}]` : `${path}.${key}`, problems, depth + 1));
  }
}

function checkAny(object: object, path: string, problems: string[], depth: number): void {
  if (isJsonAny(object)) {
    const inner = envoyRoot().lookup(typeNameOf(object['@type']));
    if (!(inner instanceof protobuf.Type)) {
      problems.push(`${path}: @type ${object['@type']} is not in the loaded Envoy protos`);
      return;
    }
    const { '@type': _ignored, ...fields } = object;
    checkFields(inner, fields, `${path}<${inner.name}>`, problems, depth + 1);
    return;
  }
  for (const key of Object.keys(object)) {
    if (key !== 'type_url' && key !== 'value') problems.push(`${path}.${key}: an Any is { type_url, value } or { '@type', ...fields }`);
  }
}
