import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration (Go time.ParseDuration syntax)', () => {
  it.each([
    ['0', 0n],
    ['1ms', 1_000_000n],
    ['1.5s', 1_500_000_000n],
    ['300ms', 300_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['2m3s', 123_000_000_000n],
    ['-1s', -1_000_000_000n],
    ['+5s', 5_000_000_000n],
    ['.5s', 500_000_000n],
    ['10us', 10_000n],
    ['10µs', 10_000n],
    ['1ns', 1n],
  ])('%s = %s ns', (text, nanos) => {
    expect(parseDuration(text)).toBe(nanos);
  });

  it.each(['', '5', 's', '1d', '1 s', 'apple', '1.s5', '-', '9999999999h'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats durations briefly', () => {
    expect(formatDuration(1_500_000n)).toBe('1.5ms');
    expect(formatDuration(60_000_000_000n)).toBe('1m');
    expect(formatDuration(12n)).toBe('12ns');
  });
});
