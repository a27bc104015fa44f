import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_ISSUE_CODES, ISSUE_CODES } from './errors';

describe('issue codes', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
  it.each(ALL_ISSUE_CODES)('%s is documented in README.md', (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });
  it('are upper snake case with a description each', () => {
    for (const [code, description] of Object.entries(ISSUE_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
  });
});
