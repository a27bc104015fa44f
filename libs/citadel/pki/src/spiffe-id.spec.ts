import { describe, expect, it } from 'vitest';
import { formatSpiffeId, parseSpiffeId } from './spiffe-id';

describe('SPIFFE IDs', () => {
  it('formats and parses the mesh shape', () => {
    const id = { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: 'cart.v2' };
    expect(formatSpiffeId(id)).toBe('spiffe://cluster.local/ns/shop/sa/cart.v2');
    expect(parseSpiffeId('spiffe://cluster.local/ns/shop/sa/cart.v2')).toEqual({ ok: true, value: id });
  });

  it.each([
    'https://cluster.local/ns/a/sa/b',
    'spiffe://cluster.local/ns/a/sa/b/extra',
    'spiffe://cluster.local/ns/A/sa/b',
    'spiffe://Cluster Local/ns/a/sa/b',
    'spiffe://cluster.local/ns/-a/sa/b',
  ])('refuses %s with SPIFFE_ID_INVALID', (uri) => {
    const r = parseSpiffeId(uri);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].code).toBe('SPIFFE_ID_INVALID');
  });
});
