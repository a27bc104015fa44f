import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BootstrapTokens, decodeToken, encodeToken, loadOrCreateTokenKey, type BootstrapTokenClaims } from './bootstrap-token';
import { CaServerError } from './errors';
import { FileReplayStore, MemoryReplayStore } from './replay-store';

const key = randomBytes(32);
const policy = { defaultTtlMs: 600_000, maxTtlMs: 3_600_000, maxUses: 3 };
const clock = { t: Date.UTC(2031, 0, 1) };
const tokens = (replay = new MemoryReplayStore(() => clock.t), k = key, trustDomain = 'cluster.local') =>
  new BootstrapTokens({ key: k, trustDomain, policy, replay, now: () => clock.t });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CaServerError);
    return (err as CaServerError).code;
  }
  throw new Error('expected a refusal');
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tokens-'));
  dirs.push(d);
  return d;
};

describe('bootstrap tokens', () => {
  it('names exactly one identity, expires, and authenticates its caller once', async () => {
    const t = tokens();
    const issued = t.issue({ namespace: 'shop', serviceAccount: 'cart' });
    expect(issued).toMatchObject({ spiffeId: 'spiffe://cluster.local/ns/shop/sa/cart', uses: 1, expiresAt: new Date(clock.t + 600_000).toISOString() });
    expect(issued.token.startsWith('sxt1.')).toBe(true);
    const caller = await t.authenticate(issued.token);
    expect(caller).toMatchObject({ spiffeId: issued.spiffeId, method: 'bootstrap-token', credentialId: issued.id });
    expect(await codeOf(t.authenticate(issued.token))).toBe('TOKEN_REPLAYED_UNAUTHENTICATED');
  });

  it('allows a bounded number of uses when asked, never more than the policy', async () => {
    const t = tokens();
    const issued = t.issue({ namespace: 'shop', serviceAccount: 'cart', uses: 2 });
    await t.authenticate(issued.token);
    await t.authenticate(issued.token);
    expect(await codeOf(t.authenticate(issued.token))).toBe('TOKEN_REPLAYED_UNAUTHENTICATED');
    expect(() => t.issue({ namespace: 'shop', serviceAccount: 'cart', uses: 4 })).toThrow(/uses 4 must be an integer from 1 to 3/);
  });

  it('refuses an expired token', async () => {
    const t = tokens();
    const issued = t.issue({ namespace: 'shop', serviceAccount: 'cart', ttlMs: 5_000 });
    clock.t += 5_000;
    expect(await codeOf(t.authenticate(issued.token))).toBe('TOKEN_EXPIRED_UNAUTHENTICATED');
    clock.t -= 5_000;
  });

  it('caps the lifetime at the maximum', () => {
    const issued = tokens().issue({ namespace: 'shop', serviceAccount: 'cart', ttlMs: 10 * 3_600_000 });
    expect(Date.parse(issued.expiresAt) - clock.t).toBe(3_600_000);
  });

  it('refuses a token signed with another key, or with altered claims', async () => {
    const mine = tokens();
    const foreign = tokens(undefined, randomBytes(32)).issue({ namespace: 'shop', serviceAccount: 'cart' });
    expect(await codeOf(mine.authenticate(foreign.token))).toBe('TOKEN_SIGNATURE_UNAUTHENTICATED');
    const issued = mine.issue({ namespace: 'shop', serviceAccount: 'cart' });
    const [p, claims, sig] = issued.token.split('.');
    const altered = JSON.parse(Buffer.from(claims, 'base64url').toString()) as BootstrapTokenClaims;
    altered.sa = 'admin';
    expect(await codeOf(mine.authenticate(`${p}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${sig}`))).toBe('TOKEN_SIGNATURE_UNAUTHENTICATED');
    expect(await codeOf(mine.authenticate('sxt1.abc'))).toBe('TOKEN_MALFORMED_UNAUTHENTICATED');
  });

  it('refuses a token for another trust domain even with the right key', async () => {
    const other = tokens(undefined, key, 'other.example').issue({ namespace: 'shop', serviceAccount: 'cart' });
    expect(await codeOf(tokens().authenticate(other.token))).toBe('TOKEN_TRUST_DOMAIN_UNAUTHENTICATED');
  });

  it('refuses to issue for a bad identity', () => {
    expect(() => tokens().issue({ namespace: 'Shop', serviceAccount: 'cart' })).toThrow(/namespace "Shop" must be a DNS label/);
    expect(() => tokens().issue({ namespace: 'shop', serviceAccount: '' })).toThrow(CaServerError);
  });

  it('decodes what it encodes', () => {
    const claims: BootstrapTokenClaims = { v: 1, td: 'td', ns: 'a', sa: 'b', iat: 1, exp: 2_000_000_000, jti: 'x', uses: 1 };
    expect(decodeToken(encodeToken(claims, key), key, 0)).toEqual(claims);
  });

  it('remembers used tokens across a restart (file store) and forgets expired ones', async () => {
    const path = join(tmp(), 'used');
    const first = tokens(new FileReplayStore(path, () => clock.t));
    const a = first.issue({ namespace: 'shop', serviceAccount: 'cart' });
    const b = first.issue({ namespace: 'shop', serviceAccount: 'cart', ttlMs: 1_000 });
    await first.authenticate(a.token);
    await first.authenticate(b.token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    clock.t += 2_000;
    const restarted = tokens(new FileReplayStore(path, () => clock.t));
    expect(await codeOf(restarted.authenticate(a.token))).toBe('TOKEN_REPLAYED_UNAUTHENTICATED');
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    clock.t -= 2_000;
  });

  it('keeps its key in a 0600 file and reuses it', () => {
    const path = join(tmp(), 'k', 'token.key');
    const k = loadOrCreateTokenKey(path);
    expect(k).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateTokenKey(path).equals(k)).toBe(true);
  });
});
