// Converters to protobufjs object form: Duration, wrappers, percentages.
import { parseDurationMs } from '@sextant/pilot-model';

export type DurationObject = { seconds: string; nanos: number };

export function durationFromMs(ms: number): DurationObject {
  const whole = Math.floor(ms / 1000);
  return { seconds: String(whole), nanos: Math.round((ms - whole * 1000) * 1_000_000) };
}

/** An Istio duration string ("1.5s", "100ms") as a Duration; undefined when absent. */
export function duration(text: string | undefined | null): DurationObject | undefined {
  const ms = durationMs(text);
  return ms === undefined ? undefined : durationFromMs(ms);
}

/** Milliseconds of a duration string; undefined when absent or malformed (Galley rejects those; translation never throws). */
export function durationMs(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  try {
    return parseDurationMs(text);
  } catch {
    return undefined;
  }
}

export const ZERO_DURATION: DurationObject = Object.freeze({ seconds: '0', nanos: 0 }) as DurationObject;

export const u32 = (value: number) => ({ value: Math.max(0, Math.min(0xffffffff, Math.round(value))) });
export const bool = (value: boolean) => ({ value });

/** Istio Percent (0-100, fractional) as Envoy FractionalPercent per million. */
export function fractionPerMillion(percent: number): { numerator: number; denominator: 'MILLION' } {
  return { numerator: Math.round(Math.max(0, Math.min(100, percent)) * 10_000), denominator: 'MILLION' };
}

export function fractionPerHundred(percent: number): { numerator: number; denominator: 'HUNDRED' } {
  return { numerator: Math.round(Math.max(0, Math.min(100, percent))), denominator: 'HUNDRED' };
}

/** google.protobuf.Any in JSON style. */
export type TypedObject = Record<string, unknown> & { '@type': string };

export function typed(typeUrl: string, fields: Record<string, unknown> = {}): TypedObject {
  return { '@type': typeUrl, ...fields };
}

/** Sorts by a string key (stable output). */
export function sortBy<T>(list: T[], key: (t: T) => string): T[] {
  return list.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** google.protobuf.Value in protobufjs object form. */
export function structValue(v: JsonValue): Record<string, unknown> {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return { structValue: struct(v) };
}

/** google.protobuf.Struct in protobufjs object form ({ fields: { k: Value } }). */
export function struct(obj: { [k: string]: JsonValue }): { fields: Record<string, unknown> } {
  return { fields: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, structValue(v)])) };
}
