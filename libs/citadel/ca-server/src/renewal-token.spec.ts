import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildCsr, createSelfSignedRoot, DEFAULT_LIFETIME, generateWorkloadKey, issueCertificate, resolveLifetime, SigningAuthority, validateCsr } from '@sextant/pki';
import { CaServerError } from './errors';
import { createRenewalToken, RenewalAuthenticator } from './renewal-token';

const ALICE = 'spiffe://cluster.local/ns/shop/sa/alice';

function ca(trustDomain = 'cluster.local') {
  const pair = createSelfSignedRoot({ ttlMs: 30 * 86_400_000, organization: trustDomain, commonName: 'renewal test' });
  return { pem: pair.certPem, authority: SigningAuthority.load({ key: pair.keyPem, cert: pair.certPem, intermediates: [], root: pair.certPem }) };
}

function certFor(authority: SigningAuthority, spiffeId: string, key: KeyObject, now = new Date()): string[] {
  const csr = validateCsr(buildCsr({ key, uris: [spiffeId] }), spiffeId);
  const lifetime = resolveLifetime(3600, DEFAULT_LIFETIME, authority.notAfter, now);
  if (!csr.ok || !lifetime.ok) throw new Error('setup');
  return issueCertificate(authority, csr.value, lifetime.value).chain;
}

const mesh = ca();
const authn = new RenewalAuthenticator({ trustDomain: 'cluster.local', roots: () => [mesh.pem] });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CaServerError);
    return (err as CaServerError).code;
  }
  throw new Error('expected a refusal');
}

describe('renewal with the current certificate', () => {
  const oldKey = generateWorkloadKey();
  const chain = certFor(mesh.authority, ALICE, oldKey);
  const csr = buildCsr({ key: generateWorkloadKey(), uris: [ALICE] });

  it('authenticates the holder of a valid mesh certificate as its SPIFFE ID, for a CSR with a new key', async () => {
    const caller = await authn.authenticate(createRenewalToken({ chain: [chain[0]], key: oldKey, csr }), { csr });
    expect(caller).toMatchObject({ spiffeId: ALICE, method: 'certificate' });
  });

  it('binds the proof to the CSR and to the certificate key', async () => {
    const token = createRenewalToken({ chain, key: oldKey, csr });
    const otherCsr = buildCsr({ key: generateWorkloadKey(), uris: [ALICE] });
    expect(await codeOf(authn.authenticate(token, { csr: otherCsr }))).toBe('RENEWAL_SIGNATURE_UNAUTHENTICATED');
    const stolenCert = createRenewalToken({ chain, key: generateWorkloadKey(), csr });
    expect(await codeOf(authn.authenticate(stolenCert, { csr }))).toBe('RENEWAL_SIGNATURE_UNAUTHENTICATED');
  });

  it('refuses a stale proof', async () => {
    const token = createRenewalToken({ chain, key: oldKey, csr, nowMs: Date.now() - 10 * 60_000 });
    expect(await codeOf(authn.authenticate(token, { csr }))).toBe('RENEWAL_STALE_UNAUTHENTICATED');
  });

  it('refuses certificates from another CA, expired ones, CA certificates and other trust domains', async () => {
    const foreign = ca();
    const key = generateWorkloadKey();
    const foreignChain = certFor(foreign.authority, ALICE, key);
    expect(await codeOf(authn.authenticate(createRenewalToken({ chain: foreignChain, key, csr }), { csr }))).toBe('RENEWAL_CERT_UNAUTHENTICATED');
    const expired = certFor(mesh.authority, ALICE, key, new Date(Date.now() - 3 * 3_600_000));
    expect(await codeOf(authn.authenticate(createRenewalToken({ chain: expired, key, csr }), { csr }))).toBe('RENEWAL_CERT_UNAUTHENTICATED');
    expect(await codeOf(authn.authenticate(createRenewalToken({ chain: [mesh.pem], key: mesh.authority.key, csr }), { csr }))).toBe('RENEWAL_CERT_UNAUTHENTICATED');
    const otherDomain = new RenewalAuthenticator({ trustDomain: 'other.example', roots: () => [mesh.pem] });
    expect(await codeOf(otherDomain.authenticate(createRenewalToken({ chain, key: oldKey, csr }), { csr }))).toBe('RENEWAL_CERT_UNAUTHENTICATED');
  });

  it('refuses malformed tokens', async () => {
    expect(await codeOf(authn.authenticate('sxtr1.%%%.x', { csr }))).toBe('TOKEN_MALFORMED_UNAUTHENTICATED');
    expect(await codeOf(authn.authenticate(`sxtr1.${Buffer.from('{"ts":1}').toString('base64url')}.x`, { csr }))).toBe('TOKEN_MALFORMED_UNAUTHENTICATED');
  });
});
