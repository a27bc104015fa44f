// Durations as Istio's YAML writes them: Go's time.ParseDuration syntax,
// which is also what the CRDs' CEL `duration()` accepts: an optional sign,
// then one or more <decimal><unit> pairs (`1h30m`, `1.5s`, `300ms`), or `0`.

const NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOS = (1n << 63n) - 1n;
const PART = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;

export const NANOS_PER_MILLI = 1_000_000n;

/** Parses a duration to nanoseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    const whole = m[1] ?? '';
    const fraction = m[2] ?? '';
    if (whole === '' && fraction === '') return undefined;
    const unit = NANOS[m[3]!]!;
    let value = BigInt(whole || '0') * unit;
    if (fraction !== '') {
      // Go truncates the fraction to whole nanoseconds.
      const scale = 10n ** BigInt(fraction.length);
      value += (BigInt(fraction) * unit) / scale;
    }
    total += value;
    if (total > MAX_NANOS) return undefined;
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}

/** Renders nanoseconds back in a short human form, e.g. 1500000n -> `1.5ms`. */
export function formatDuration(nanos: bigint): string {
  const units: [string, bigint][] = [
    ['h', NANOS['h']!],
    ['m', NANOS['m']!],
    ['s', NANOS['s']!],
    ['ms', NANOS['ms']!],
    ['us', NANOS['us']!],
  ];
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  for (const [unit, size] of units) {
    if (abs >= size) {
      const whole = abs / size;
      const rem = abs % size;
      if (rem === 0n) return `${sign}${whole}${unit}`;
      const frac = (Number(rem) / Number(size)).toString().slice(1);
      return `${sign}${whole}${frac}${unit}`;
    }
  }
  return `${sign}${abs}ns`;
}
