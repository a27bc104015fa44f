// Every error code that can reach a client is documented.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_ERROR_CODES } from '@sextant/config-store';
import { GALLEY_API_ERROR_CODES } from './errors';

const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/config-reference.md'), 'utf8');

describe('error codes', () => {
  it.each([...Object.keys(GALLEY_API_ERROR_CODES), ...Object.keys(STORE_ERROR_CODES)])('%s is in docs/config-reference.md', (code) => {
    expect(doc).toContain(`| \`${code}\` |`);
  });
});
