import { describe, expect, it } from 'vitest';
import { ISTIO_KINDS } from '@sextant/config-model';
import { CEL_RULES } from './cel-rules';
import { ISTIO_CRD_SCHEMAS } from './generated/istio-crd-schemas';

function rulesIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => rulesIn(v, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'x-kubernetes-validations') for (const r of v as { rule: string }[]) out.add(r.rule);
      else rulesIn(v, out);
    }
  }
  return out;
}

describe('generated CRD schemas', () => {
  it('cover every kind and every accepted version', () => {
    for (const info of ISTIO_KINDS) {
      const entry = ISTIO_CRD_SCHEMAS[info.kind];
      expect(entry, info.kind).toBeDefined();
      expect(Object.keys(entry!.versions).sort()).toEqual([...info.versions].sort());
    }
  });

  it('use only CEL rules that cel-rules.ts implements, and every implemented rule is used', () => {
    const used = rulesIn(ISTIO_CRD_SCHEMAS, new Set());
    expect([...used].filter((r) => !(r in CEL_RULES))).toEqual([]);
    expect(Object.keys(CEL_RULES).filter((r) => !used.has(r))).toEqual([]);
  });
});

describe('CEL rules', () => {
  const rule = (text: string) => CEL_RULES[text]!;
  it('duration >= 1ms', () => {
    const check = rule("duration(self) >= duration('1ms')");
    expect(['1ms', '1.5s', '1h', '0.001s'].map(check)).toEqual([true, true, true, true]);
    expect(['0.5ms', '0s', '-1s', 'apple', 5].map(check)).toEqual([false, false, false, false, false]);
  });
  it('port keys convert to int or report a conversion error', () => {
    const check = rule('self.all(key, 0 < int(key) && int(key) <= 65535)');
    expect(check({ '80': {}, '+443': {} })).toBe(true);
    expect(check({ '0': {} })).toBe(false);
    expect(check({ abc: {} })).toMatch(/type conversion error/);
  });
  it('url schemes, case-insensitively, and no control characters', () => {
    const check = rule('url(self).getScheme() in ["http", "https"]');
    expect(['https://x/jwks', 'HTTP://x'].map(check)).toEqual([true, true]);
    expect(['ftp://x', 'x', 'http\u0008://x', 'hTPp\\\u0008lah'].map(check)).toEqual([false, false, false, false]);
  });
  it('never throw on values of the wrong type', () => {
    for (const check of Object.values(CEL_RULES)) {
      for (const value of [null, undefined, 1, 'x', [], {}, [null], { a: null }]) expect(() => check(value)).not.toThrow();
    }
  });
});
