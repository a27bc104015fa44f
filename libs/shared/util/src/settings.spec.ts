import { describe, expect, it } from 'vitest';
import { defineSettings, loadSettings, parseDuration } from './settings';
import { decodeKey, encodeKey } from './keys';

const spec = defineSettings({
  adminPort: { kind: 'port', env: 'X_ADMIN_PORT', flag: 'admin-port', default: 15014, description: 'admin port' },
  level: { kind: 'enum', env: 'X_LEVEL', flag: 'log-level', default: 'info', values: ['debug', 'info'], description: 'level' },
  grace: { kind: 'duration', env: 'X_GRACE', flag: 'grace', default: 10_000, description: 'grace' },
  pretty: { kind: 'bool', env: 'X_PRETTY', flag: 'pretty', default: false, description: 'pretty' },
});

describe('loadSettings', () => {
  it('takes defaults, then env, then flags', () => {
    expect(loadSettings(spec, [], {})).toEqual({ adminPort: 15014, level: 'info', grace: 10_000, pretty: false });
    expect(loadSettings(spec, [], { X_ADMIN_PORT: '2000' }).adminPort).toBe(2000);
    expect(loadSettings(spec, ['--admin-port', '3000'], { X_ADMIN_PORT: '2000' }).adminPort).toBe(3000);
    expect(loadSettings(spec, ['--admin-port=4000', '--pretty'], {})).toMatchObject({ adminPort: 4000, pretty: true });
  });
  it('names the bad setting, its flag, env var and the reason', () => {
    expect(() => loadSettings(spec, ['--admin-port', '70000'], {})).toThrow(
      /adminPort \(--admin-port \/ X_ADMIN_PORT\) from flag --admin-port: "70000" is out of range 0..65535/,
    );
    expect(() => loadSettings(spec, [], { X_GRACE: 'soon' })).toThrow(/grace .* from env X_GRACE: "soon" is not a duration/);
    expect(() => loadSettings(spec, [], { X_LEVEL: 'loud' })).toThrow(/is not one of debug, info/);
    expect(() => loadSettings(spec, ['--admin-prot', '1'], {})).toThrow(/unknown flag --admin-prot/);
  });
  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('5')).toBeUndefined();
  });
});

describe('KV key encoding', () => {
  it('round-trips names with dots and other characters', () => {
    const parts = ['VirtualService', 'default', 'reviews.v1_x/y'];
    const key = encodeKey(parts);
    expect(key).toMatch(/^[-_.A-Za-z0-9]+$/);
    expect(key.split('.')).toHaveLength(3);
    expect(decodeKey(key)).toEqual(parts);
    expect(decodeKey(encodeKey(['', 'ü']))).toEqual(['', 'ü']);
  });
});
