// Istio/protobuf duration strings ("1.5s", "100ms", "1h2m") in milliseconds.
import { ModelError } from './errors';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Parses a duration; throws MODEL_DURATION_INVALID on bad syntax. */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== s.length) throw new ModelError('MODEL_DURATION_INVALID', `"${text}" is not a duration (e.g. 1.5s, 100ms, 1h)`);
  return total;
}
