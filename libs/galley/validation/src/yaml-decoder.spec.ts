import { describe, expect, it } from 'vitest';
import { decodeFile } from './yaml-decoder';

describe('decodeFile', () => {
  it('numbers non-empty documents from 0 and records where each starts', () => {
    const text = ['# leading comment', '---', 'a: 1', '---', '# only a comment', '---', 'b: 2', '...', '---', 'c: 3', ''].join('\n');
    const { documents, errors } = decodeFile('f.yaml', text);
    expect(errors).toEqual([]);
    expect(documents.map((d) => [d.index, d.line, d.value])).toEqual([
      [0, 2, { a: 1 }],
      [1, 6, { b: 2 }],
      [2, 9, { c: 3 }],
    ]);
  });

  it('reads a document without markers, and directives before a marker', () => {
    expect(decodeFile('f.yaml', 'a: 1\n').documents.map((d) => d.value)).toEqual([{ a: 1 }]);
    expect(decodeFile('f.yaml', '%YAML 1.1\n---\na: 1\n').documents.map((d) => d.value)).toEqual([{ a: 1 }]);
  });

  it('reads JSON', () => {
    const { documents } = decodeFile('f.json', '{"apiVersion": "v1", "kind": "X", "list": [1, 2]}');
    expect(documents[0]!.value).toEqual({ apiVersion: 'v1', kind: 'X', list: [1, 2] });
  });

  it('reads values as Kubernetes (go-yaml) does', () => {
    const text = 'enabled: yes\ndisabled: No\nmode: 0755\ndot: [foo, .]\nips: [1.2.3.4, 2001:db8::, fe80::1]\nday: 2024-01-02\nv6: 2001:0:0:0:0:0:0:1\nnum: 1_000\non: 1\n';
    expect(decodeFile('f.yaml', text).documents[0]!.value).toEqual({
      enabled: true,
      disabled: false,
      mode: 0o755,
      dot: ['foo', '.'],
      ips: ['1.2.3.4', '2001:db8::', 'fe80::1'],
      day: '2024-01-02',
      v6: '2001:0:0:0:0:0:0:1',
      num: 1000,
      true: 1, // `on` is a boolean in YAML 1.1, even as a key
    });
  });

  it('supports anchors and merge keys within the alias limit', () => {
    const text = 'base: &base {a: 1, b: 2}\nderived:\n  <<: *base\n  b: 3\n';
    expect(decodeFile('f.yaml', text).documents[0]!.value).toEqual({ base: { a: 1, b: 2 }, derived: { a: 1, b: 3 } });
  });

  it('strips a byte order mark and accepts CRLF line endings', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('a: 1\r\n---\r\nb: 2\r\n')]);
    expect(decodeFile('f.yaml', bytes).documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('names the line of a syntax error in the whole file', () => {
    const { documents, errors } = decodeFile('f.yaml', 'a: 1\n---\nb: [1, 2\nc: 3\n');
    expect(documents.map((d) => d.index)).toEqual([0]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'f.yaml', index: 1, path: '' });
    expect(errors[0]!.reason).toMatch(/\(line [34]\)$/);
  });

  it('refuses duplicate keys', () => {
    const { errors } = decodeFile('f.yaml', 'a: 1\na: 2\n');
    expect(errors[0]).toMatchObject({ code: 'DUPLICATE_KEY', index: 0 });
    expect(errors[0]!.reason).toContain('(line 2)');
  });

  it('refuses documents that are not mappings', () => {
    const { errors } = decodeFile('f.yaml', '- a\n- b\n---\nplain text\n---\n~\n');
    expect(errors.map((e) => [e.index, e.code, e.reason])).toEqual([
      [0, 'NOT_AN_OBJECT', 'document must be a mapping with apiVersion, kind, metadata and spec (got a sequence)'],
      [1, 'NOT_AN_OBJECT', 'document must be a mapping with apiVersion, kind, metadata and spec (got a string)'],
      [2, 'NOT_AN_OBJECT', 'document must be a mapping with apiVersion, kind, metadata and spec (got null)'],
    ]);
  });

  it('is not fooled by brackets inside quotes and block scalars', () => {
    const text = `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\nc: |\n  ${'['.repeat(500)}\n  ]]]\nd: x[y]\n`;
    const { documents, errors } = decodeFile('f.yaml', text);
    expect(errors).toEqual([]);
    expect(documents[0]!.value['d']).toBe('x[y]');
  });
});
