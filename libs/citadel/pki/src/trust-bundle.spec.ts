import { describe, expect, it } from 'vitest';
import { selfSignedAuthority } from './spec-helpers';
import { activateRoot, bundleDocument, emptyBundle, nextBundleChange, pruneBundle, TRUST_BUNDLE_SCHEMA } from './trust-bundle';

const a = selfSignedAuthority().pair.certPem;
const b = selfSignedAuthority().pair.certPem;
const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('trust bundle', () => {
  it('activating a root puts it first and starts the others retiring; no change is the same object', () => {
    const one = activateRoot(emptyBundle(), a, 1000, t0);
    expect(one.version).toBe(1);
    expect(activateRoot(one, a, 1000, at(10))).toBe(one);
    const two = activateRoot(one, b, 1000, at(10));
    expect(two.version).toBe(2);
    expect(two.anchors.map((x) => x.retireAt)).toEqual([undefined, at(1010).toISOString()]);
    expect(nextBundleChange(two)).toEqual(at(1010));
    // Retirement time is kept on a second activation of the same root.
    expect(activateRoot(two, b, 5000, at(20))).toBe(two);
  });

  it('prunes retired roots only once their time has come', () => {
    const two = activateRoot(activateRoot(emptyBundle(), a, 1000, t0), b, 1000, t0);
    expect(pruneBundle(two, at(999))).toBe(two);
    const pruned = pruneBundle(two, at(1000));
    expect(pruned.anchors).toHaveLength(1);
    expect(pruned.version).toBe(3);
  });

  it('re-activating a retiring root makes it active again', () => {
    const two = activateRoot(activateRoot(emptyBundle(), a, 1000, t0), b, 1000, t0);
    const back = activateRoot(two, a, 1000, at(5));
    expect(back.anchors.map((x) => [x.pem === a, x.retireAt])).toEqual([[true, undefined], [false, at(1005).toISOString()]]);
  });

  it('renders the published document: schema, version, time, PEM roots signing root first', () => {
    const two = activateRoot(activateRoot(emptyBundle(), a, 1000, t0), b, 1000, at(1));
    const doc = bundleDocument(two, 'cluster.local');
    expect(doc).toMatchObject({ schema: TRUST_BUNDLE_SCHEMA, trustDomain: 'cluster.local', version: 2, updatedAt: at(1).toISOString() });
    expect(doc.roots).toEqual(two.anchors.map((x) => x.pem));
    expect(doc.roots[0]).toContain('BEGIN CERTIFICATE');
  });
});
