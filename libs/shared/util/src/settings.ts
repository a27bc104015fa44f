// Declarative settings: every tunable is declared once with its default and a
// description (like Istio's features/tuning.go), read from `--flag value`,
// `--flag=value` or an environment variable, and validated at start. A bad
// value fails with an error that names the flag, the variable and the reason.
import { SextantError } from './errors';

export type SettingKind = 'string' | 'int' | 'port' | 'bool' | 'duration' | 'url' | 'enum' | 'list';

export interface SettingSpec<T = unknown> {
  kind: SettingKind;
  /** Environment variable, e.g. SEXTANT_ADMIN_PORT. */
  env: string;
  /** Command-line flag without dashes, e.g. admin-port. */
  flag: string;
  default: T;
  description: string;
  /** For kind 'enum'. */
  values?: readonly string[];
  /** For kind 'int': inclusive bounds. */
  min?: number;
  max?: number;
}

export type SettingsSpec = Record<string, SettingSpec>;
export type SettingsOf<S extends SettingsSpec> = { [K in keyof S]: S[K]['default'] };

export class SettingsError extends SextantError {
  constructor(message: string) {
    super('SETTINGS_INVALID', message);
    this.name = 'SettingsError';
  }
}

export function defineSettings<S extends SettingsSpec>(spec: S): S {
  return spec;
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
/** Parses "250ms", "10s", "1.5m", "24h" into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}

function parseValue(name: string, spec: SettingSpec, raw: string, source: string): unknown {
  const bad = (why: string) =>
    new SettingsError(`invalid setting ${name} (--${spec.flag} / ${spec.env}) from ${source}: ${JSON.stringify(raw)} ${why}`);
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int':
    case 'port': {
      if (!/^-?\d+$/.test(raw.trim())) throw bad('is not an integer');
      const n = Number(raw);
      const min = spec.kind === 'port' ? 0 : spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.kind === 'port' ? 65535 : spec.max ?? Number.MAX_SAFE_INTEGER;
      if (n < min || n > max) throw bad(`is out of range ${min}..${max}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw bad('is not a boolean (true/false)');
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw bad('is not a duration (e.g. 500ms, 10s, 5m, 24h)');
      return ms;
    }
    case 'url': {
      try {
        new URL(raw);
      } catch {
        throw bad('is not a URL');
      }
      return raw;
    }
    case 'enum': {
      if (!spec.values?.includes(raw)) throw bad(`is not one of ${spec.values?.join(', ')}`);
      return raw;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
}

/**
 * Reads settings from argv (flags win) and env. Unknown flags are an error,
 * so a typo never silently falls back to a default.
 */
export function loadSettings<S extends SettingsSpec>(
  spec: S,
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
): SettingsOf<S> {
  const byFlag = new Map(Object.entries(spec).map(([name, s]) => [s.flag, name]));
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new SettingsError(`unexpected argument ${JSON.stringify(arg)}; settings are given as --flag value`);
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const name = byFlag.get(flag);
    if (!name) {
      throw new SettingsError(`unknown flag --${flag}; known flags: ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')}`);
    }
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined) {
      if (spec[name].kind === 'bool' && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) value = 'true';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new SettingsError(`flag --${flag} needs a value`);
    }
    fromFlags.set(name, value);
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) {
    const flagValue = fromFlags.get(name);
    if (flagValue !== undefined) out[name] = parseValue(name, s, flagValue, `flag --${s.flag}`);
    else if (env[s.env] !== undefined && env[s.env] !== '') out[name] = parseValue(name, s, env[s.env] as string, `env ${s.env}`);
    else out[name] = s.default;
  }
  return out as SettingsOf<S>;
}

/** Help text listing each setting with flag, env, default and description. */
export function settingsHelp(spec: SettingsSpec): string {
  return Object.values(spec)
    .map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(28)} ${s.description} (default: ${JSON.stringify(s.default)})`)
    .join('\n');
}
