// google.protobuf.Struct <-> plain JSON. proto-loader and protobufjs carry a
// Struct as { fields: { name: Value } }; node metadata and filter metadata
// are easier to read and write as plain JSON.

/** A google.protobuf.Value as the loaders represent it. */
export interface StructValue {
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct | null;
  listValue?: { values?: StructValue[] } | null;
  kind?: string;
}
export interface ProtoStruct {
  fields?: Record<string, StructValue>;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function valueToJson(value: StructValue | null | undefined): JsonValue {
  if (!value) return null;
  const kind = value.kind ?? Object.keys(value).find((k) => k.endsWith('Value') && value[k as keyof StructValue] != null);
  switch (kind) {
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return structToJson(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

export function structToJson(struct: ProtoStruct | null | undefined): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

export function jsonToValue(json: unknown): StructValue {
  if (json === null || json === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(jsonToValue) } };
  return { structValue: jsonToStruct(json as Record<string, unknown>) };
}

export function jsonToStruct(json: Record<string, unknown>): ProtoStruct {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(json)) fields[key] = jsonToValue(value);
  return { fields };
}
