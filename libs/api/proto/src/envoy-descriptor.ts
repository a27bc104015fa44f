// Envoy's reflected API as precomputed JSON. Parsing the ~100 .proto files
// the proxy needs from @grpc/grpc-js-xds costs every proxy start about 0.8 s
// of CPU and leaves about 5 MB of reflection objects, most of it options
// (validation rules, annotations) nothing reads at run time. The build
// (tools/envoy-descriptor.ts, run by tools/build.mjs for the proxy) parses
// the same files once and writes this descriptor beside the bundle: every
// message, enum and service with its fields, oneofs and the options that
// change the wire format, nothing else. envoyRoot() loads it when present.
import protobuf from 'protobufjs';

/** File name of the descriptor beside a bundle. */
export const ENVOY_DESCRIPTOR_FILE = 'envoy-descriptor.json';

type Json = Record<string, unknown>;

/** A descriptor: the .proto files it was generated from, and protobufjs JSON for their types. */
export interface EnvoyDescriptor {
  files: string[];
  nested: Json;
}

/** Options that change encoding or field presence; the rest are dropped. */
const WIRE_OPTIONS = ['packed', 'proto3_optional'] as const;

function fieldJson(f: protobuf.Field): Json {
  f.resolve();
  const out: Json = { type: f.resolvedType ? f.resolvedType.fullName : f.type, id: f.id };
  const rule = (f as unknown as { rule?: string }).rule; // in the JSON protobufjs reads, not in its typings
  if (rule) out.rule = rule;
  if (f instanceof protobuf.MapField) out.keyType = f.keyType;
  const opts = WIRE_OPTIONS.filter((o) => f.options?.[o] !== undefined);
  if (opts.length > 0) out.options = Object.fromEntries(opts.map((o) => [o, f.options![o]]));
  return out;
}

/** The syntax a top-level type was declared in (proto2 changes packing and presence), as protobufjs's JSON writes it. */
function edition(x: protobuf.ReflectionObject): Json {
  const e = (x as unknown as { _editionToJSON(): string | undefined })._editionToJSON();
  return e ? { edition: e } : {};
}

function nestedJson(ns: protobuf.NamespaceBase): Json {
  const out: Json = {};
  for (const x of ns.nestedArray) {
    if (x instanceof protobuf.Type) {
      // Extension fields (".validate.rules" on FieldOptions, ...) declare custom options: dropped with them.
      const fields = x.fieldsArray.filter((f) => !f.name.startsWith('.'));
      const t: Json = { ...edition(x), fields: Object.fromEntries(fields.map((f) => [f.name, fieldJson(f)])) };
      if (x.oneofsArray.length > 0) t.oneofs = Object.fromEntries(x.oneofsArray.map((o) => [o.name, { oneof: o.oneof }]));
      const inner = nestedJson(x);
      if (Object.keys(inner).length > 0) t.nested = inner;
      out[x.name] = t;
    } else if (x instanceof protobuf.Enum) {
      out[x.name] = { ...edition(x), values: x.values };
    } else if (x instanceof protobuf.Service) {
      out[x.name] = { methods: Object.fromEntries(x.methodsArray.map((m) => [m.name, { requestType: m.requestType, responseType: m.responseType, requestStream: m.requestStream, responseStream: m.responseStream }])) };
    } else if (x instanceof protobuf.Namespace) {
      const inner = nestedJson(x);
      if (Object.keys(inner).length > 0) out[x.name] = { nested: inner };
    }
    // Field objects directly in a namespace are `extend` declarations (custom options): dropped with the options.
  }
  return out;
}

/** The descriptor of a loaded Root: every type it holds, wire-relevant options only. */
export function describeRoot(root: protobuf.Root, files: readonly string[]): EnvoyDescriptor {
  root.resolveAll();
  return { files: [...files], nested: nestedJson(root) };
}

/** A resolved Root from a descriptor. */
export function rootFromDescriptor(d: EnvoyDescriptor): protobuf.Root {
  const root = protobuf.Root.fromJSON({ nested: d.nested } as protobuf.INamespace);
  root.resolveAll();
  return root;
}
