import { describe, expect, it } from 'vitest';
import { TYPE_URL } from '@sextant/proto';
import { resourcesOf } from './snapshot';
import { sameNames, selectResources, sharedNameSet } from './subscriptions';

const clas = (...names: string[]) => resourcesOf(TYPE_URL.endpoint, names.map((clusterName) => ({ clusterName, endpoints: [] })));

describe('shared subscriptions', () => {
  it('gives streams asking for the same names one set ("*" aside)', () => {
    const a = sharedNameSet(['b', 'a', 'c']);
    expect(sharedNameSet(['b', 'a', 'c'])).toBe(a);
    expect(sharedNameSet(['b', '*', 'a', 'c'])).toBe(a);
    expect([...a].sort()).toEqual(['a', 'b', 'c']);
    // Another order or duplicates: an equal set of its own.
    expect([...sharedNameSet(['c', 'a', 'b', 'a'])].sort()).toEqual(['a', 'b', 'c']);
    expect(sharedNameSet(['a', 'b'])).not.toBe(a);
  });

  it('tells an unchanged subscription from a changed one', () => {
    const set = sharedNameSet(['x', 'y']);
    expect(sameNames(set, ['y', 'x'])).toBe(true);
    expect(sameNames(set, ['y', 'x', 'x', '*'])).toBe(true);
    expect(sameNames(set, ['x'])).toBe(false);
    expect(sameNames(set, ['x', 'y', 'z'])).toBe(false);
    expect(sameNames(set, ['x', 'z'])).toBe(false);
    expect(sameNames(new Set(), [])).toBe(true);
  });

  it('selects the named resources once per (set, map), and the map itself when the set covers it', () => {
    const source = clas('a', 'b', 'c');
    expect(selectResources(sharedNameSet(['a', 'b', 'c', 'd']), false, source)).toBe(source);
    expect(selectResources(sharedNameSet([]), true, source)).toBe(source);
    expect(selectResources(sharedNameSet(['a']), true, source)).toBe(source);
    const some = sharedNameSet(['a', 'c', 'missing']);
    const picked = selectResources(some, false, source);
    expect([...picked.keys()].sort()).toEqual(['a', 'c']);
    expect(picked.get('a')).toBe(source.get('a'));
    expect(selectResources(sharedNameSet(['a', 'c', 'missing']), false, source)).toBe(picked);
    // A new map (next push) gets a new selection.
    const next = clas('a', 'b', 'c');
    const again = selectResources(some, false, next);
    expect(again).not.toBe(picked);
    expect(again.get('c')).toBe(next.get('c'));
  });
});
