import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout (or image) root: the nearest folder up whose package.json is Sextant's. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'sextant') return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where the local mesh keeps state, logs and NATS data: SEXTANT_HOME or <repo>/.sextant. */
export function stateDir(): string {
  return resolve(process.env['SEXTANT_HOME'] ?? join(repoRoot(), '.sextant'));
}

export const DEFAULT_WORKLOADS = () => join(repoRoot(), 'samples/workloads/bookinfo.yaml');
