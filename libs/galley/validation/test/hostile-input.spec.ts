// Hostile input is refused quickly, with an error naming the file and the
// document, and without harming the documents around it.
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeFiles, formatIssue, MAX_INPUT_BYTES, type DecodeResult } from '../src';

function timed(fn: () => DecodeResult): { result: DecodeResult; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

const GOOD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n';

describe('hostile input', () => {
  it('refuses an alias bomb (billion laughs)', () => {
    let bomb = 'apiVersion: v1\nkind: Bomb\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let previous = 'a';
    for (const name of 'bcdefghi') {
      bomb += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
      previous = name;
    }
    const { result, ms } = timed(() => decodeFile('bomb.yaml', `${GOOD}---\n${bomb}---\n${GOOD}`));
    expect(ms).toBeLessThan(1000);
    expect(result.documents.map((d) => d.index)).toEqual([0, 2]);
    expect(result.errors).toHaveLength(1);
    expect(formatIssue(result.errors[0]!)).toMatch(/^bomb\.yaml#1: document expands YAML aliases more than 100 times \(MAX_ALIAS_COUNT\)/);
    expect(result.errors[0]!.code).toBe('TOO_MANY_ALIASES');
  });

  it('refuses 10,000-deep flow nesting before parsing it', () => {
    const deep = `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const { result, ms } = timed(() => decodeFile('deep.yaml', `${GOOD}---\n${deep}`));
    expect(ms).toBeLessThan(200);
    expect(result.documents).toHaveLength(1);
    expect(result.errors.map(formatIssue)).toEqual([
      'deep.yaml#1: document nests more than 128 levels deep; the limit is 64 (MAX_NESTING_DEPTH)',
    ]);
  });

  it('refuses 10,000-deep block nesting', () => {
    const deep = `${'- '.repeat(10_000)}x\n`;
    const { result, ms } = timed(() => decodeFile('deep-block.yaml', deep));
    expect(ms).toBeLessThan(200);
    expect(result.errors[0]).toMatchObject({ code: 'NESTING_TOO_DEEP', file: 'deep-block.yaml', index: 0 });
  });

  it('refuses nesting just past the limit after parsing, and accepts it at the limit', () => {
    const nested = (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}`; // n mappings, one in the other
    expect(decodeFile('ok.yaml', nested(64)).errors).toEqual([]);
    const over = decodeFile('over.yaml', nested(65));
    expect(over.errors.map((e) => e.reason)).toEqual(['document nests 65 levels deep; the limit is 64 (MAX_NESTING_DEPTH)']);
  });

  it('refuses a 50 MB document without parsing it', () => {
    const huge = new Uint8Array(50 * 1024 * 1024).fill(0x61); // "aaaa..."
    const { result, ms } = timed(() => decodeFile('huge.yaml', huge));
    expect(ms).toBeLessThan(500);
    expect(result.documents).toEqual([]);
    expect(result.errors.map(formatIssue)).toEqual([
      'huge.yaml: input is 50.0 MiB; the limit for one input set is 16.0 MiB (MAX_INPUT_BYTES)',
    ]);
  });

  it('refuses one oversized document but keeps its neighbours', () => {
    const big = `apiVersion: v1\nkind: Big\ndata: "${'x'.repeat(2 * 1024 * 1024)}"\n`;
    const result = decodeFile('big.yaml', `${GOOD}---\n${big}---\n${GOOD}`);
    expect(result.documents.map((d) => d.index)).toEqual([0, 2]);
    expect(result.errors.map(formatIssue)).toEqual([
      'big.yaml#1: document is 2.0 MiB; the limit for one document is 1.5 MiB (MAX_DOCUMENT_BYTES)',
    ]);
  });

  it('counts bytes across the whole input set', () => {
    const half = 'a'.repeat(MAX_INPUT_BYTES / 2 + 1);
    const result = decodeFiles([
      { file: 'one.yaml', content: half },
      { file: 'two.yaml', content: half },
    ]);
    expect(result.errors.map(formatIssue)).toEqual([
      'two.yaml: input set reaches 16.0 MiB with this file; the limit for one input set is 16.0 MiB (MAX_INPUT_BYTES)',
    ]);
  });

  it('refuses too many documents', () => {
    const result = decodeFile('many.yaml', 'a: 1\n---\n'.repeat(11), { maxDocuments: 10 });
    expect(result.documents).toEqual([]);
    expect(result.errors.map(formatIssue)).toEqual(['many.yaml: input set holds 11 documents; the limit is 10 (MAX_DOCUMENTS)']);
  });

  it('refuses invalid UTF-8, naming the line and the document', () => {
    const bytes = Buffer.concat([Buffer.from(`${GOOD}---\napiVersion: v1\nkind: X\nname: caf`), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const { result, ms } = timed(() => decodeFile('latin.yaml', bytes));
    expect(ms).toBeLessThan(100);
    expect(result.documents).toEqual([]);
    expect(result.errors.map(formatIssue)).toEqual([
      'latin.yaml#1: invalid UTF-8 byte 0xc3 at line 8, column 10 (byte offset 90)',
    ]);
  });

  it('refuses overlong encodings and UTF-16 input', () => {
    expect(decodeFile('overlong.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xc0, 0xaf])).errors[0]?.code).toBe('INVALID_UTF8');
    const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00]);
    expect(decodeFile('utf16.yaml', utf16).errors[0]?.reason).toMatch(/^invalid UTF-8 byte 0xff at line 1, column 1/);
  });

  it('refuses text with a lone surrogate', () => {
    expect(decodeFile('s.yaml', 'a: "\ud800"').errors[0]?.code).toBe('INVALID_UTF8');
  });
});
