// re2js is loaded on first use, when a configuration first carries a regular
// expression (safe_regex matchers, regex rewrites, regex redirects): most
// proxies' routes have none, and the import costs each about 1 MB of RSS
// (docs/benchmarks/proxy.md, "RSS"). Compiling happens while a config is
// built, synchronously, hence require (re2js ships a CommonJS build).
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

const require = createRequire(import.meta.url);
let re2js: typeof RE2JSClass | undefined;

/** The RE2JS class (loaded once per process). */
export function RE2(): typeof RE2JSClass {
  re2js ??= (require('re2js') as typeof import('re2js')).RE2JS;
  return re2js;
}
