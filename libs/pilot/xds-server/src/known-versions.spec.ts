import { describe, expect, it } from 'vitest';
import { KnownVersions } from './known-versions';
import type { TypeResources } from './snapshot';

const source = (entries: Record<string, string>): TypeResources => new Map(Object.entries(entries).map(([n, v]) => [n, { version: v, resource: {} }]));

describe('KnownVersions', () => {
  it('holds a shared source (or the part a subscription covers) plus its own changes', () => {
    const k = new KnownVersions();
    expect(k.isEmpty).toBe(true);
    k.set('a', '0');
    expect(k.isEmpty).toBe(false);
    const subs = new Set(['a', 'b']);
    k.rebase(source({ a: '1', b: '1', c: '1' }), (n) => subs.has(n));
    expect([...k.keys()].sort()).toEqual(['a', 'b']);
    expect(k.get('a')).toBe('1');
    expect(k.has('c')).toBe(false);
    k.set('b', '2');
    expect(k.delete('a')).toBe(true);
    expect(k.delete('a')).toBe(false);
    expect([...k.keys()]).toEqual(['b']);
    expect(k.get('b')).toBe('2');
    expect(k.size).toBe(1);
  });

  it('a name whose coverage begins is not held until sent; materialize keeps what is held', () => {
    const k = new KnownVersions();
    let subs = new Set(['a']);
    k.rebase(source({ a: '1', b: '1' }), (n) => subs.has(n));
    k.unhold('b');
    subs = new Set(['a', 'b']);
    expect(k.has('b')).toBe(false);
    k.set('b', '1');
    expect(k.get('b')).toBe('1');
    k.materialize();
    subs = new Set();
    expect(Object.fromEntries([...k.keys()].map((n) => [n, k.get(n)]))).toEqual({ a: '1', b: '1' });
  });
});
