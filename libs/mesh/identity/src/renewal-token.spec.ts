import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRenewalToken, isRenewalToken, parseRenewalToken, renewalSignedBytes } from './renewal-token';

describe('renewal token', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const chain = ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'];

  it('carries the chain and time, signed over the body and the CSR hash', () => {
    const token = createRenewalToken({ chain, key: privateKey, csr: 'csr-1', nowMs: 1_700_000_000_500 });
    expect(isRenewalToken(token)).toBe(true);
    const parsed = parseRenewalToken(token);
    expect(parsed.claims).toEqual({ chain, ts: 1_700_000_000 });
    expect(verify('sha256', renewalSignedBytes(parsed.signedPrefix, 'csr-1'), publicKey, parsed.signature)).toBe(true);
    expect(verify('sha256', renewalSignedBytes(parsed.signedPrefix, 'csr-2'), publicKey, parsed.signature)).toBe(false);
  });

  it('says why a token is not one', () => {
    expect(() => parseRenewalToken('sxt1.a.b')).toThrow(/not a sxtr1 renewal token/);
    expect(() => parseRenewalToken('sxtr1.!!!.b')).toThrow(/not base64url JSON/);
    const noChain = `sxtr1.${Buffer.from(JSON.stringify({ chain: [], ts: 1 })).toString('base64url')}.x`;
    expect(() => parseRenewalToken(noChain)).toThrow(/lacks its chain/);
    const noTs = `sxtr1.${Buffer.from(JSON.stringify({ chain })).toString('base64url')}.x`;
    expect(() => parseRenewalToken(noTs)).toThrow(/lacks its time/);
  });
});
