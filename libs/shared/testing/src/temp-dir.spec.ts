import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './temp-dir';
import { REPO_ROOT } from './built-app';

describe('testing harness', () => {
  it('makes and removes a private directory', () => {
    const d = tempDir();
    writeFileSync(join(d.path, 'f'), 'x');
    d.remove();
    expect(existsSync(d.path)).toBe(false);
  });
  it('finds the repository root', () => {
    expect(existsSync(join(REPO_ROOT, 'nx.json'))).toBe(true);
  });
});
