import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { XDS_ERROR_CODES } from './errors';

describe('error codes', () => {
  it('every code used in the sources is documented in XDS_ERROR_CODES, and every documented one is used', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'errors.ts')) {
      for (const m of readFileSync(`${dir}/${f}`, 'utf8').matchAll(/'(XDS_[A-Z_]+)'/g)) used.add(m[1]!);
    }
    expect([...used].sort()).toEqual(Object.keys(XDS_ERROR_CODES).sort());
  });
});
