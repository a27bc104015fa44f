// Citadel end to end inside one process: a real gRPC server and client, a
// real nats-server, the admin server on loopback.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, openBucket } from '@sextant/nats';
import { buildCsr, createSelfSignedRoot, generateWorkloadKey, issueCertificate, resolveLifetime, SigningAuthority, validateCsr, verifyChain, DEFAULT_LIFETIME } from '@sextant/pki';
import { createRenewalToken, encodeToken, readTrustBundle, requestBootstrapToken, type IssuedToken } from '../src/index';
import { createCertificate, startCitadel, type Harness } from './harness';

const ALICE = 'spiffe://cluster.local/ns/shop/sa/alice';
const BOB = 'spiffe://cluster.local/ns/shop/sa/bob';
const csrFor = (uri: string, extra: { dnsNames?: string[] } = {}) => buildCsr({ key: generateWorkloadKey(), uris: [uri], ...extra });

let h: Harness;
const token = (sa = 'alice', extra: { ttlSeconds?: number; uses?: number } = {}): Promise<IssuedToken> =>
  requestBootstrapToken({ adminUrl: h.adminUrl, dataDir: h.dataDir }, { namespace: 'shop', serviceAccount: sa, ...extra });

async function bundleRoots(): Promise<{ roots: string[]; version: number; revision: number }> {
  const found = await readTrustBundle(await openBucket(h.link.nc, BUCKETS.trust));
  if (!found) throw new Error('no trust bundle in KV');
  return { roots: found.document.roots, version: found.document.version, revision: found.revision };
}

beforeAll(async () => {
  h = await startCitadel();
}, 30_000);
afterAll(async () => h?.stop());

describe('Citadel CreateCertificate', () => {
  it('issues a token, signs the CSR, and the chain verifies against the bundle in NATS KV', async () => {
    const t = await token();
    expect(t.spiffeId).toBe(ALICE);
    const r = await createCertificate(h.client, csrFor(ALICE), t.token);
    if (!r.ok) throw new Error(r.details);
    expect(r.chain).toHaveLength(2);
    const leaf = new X509Certificate(r.chain[0]);
    expect(leaf.subjectAltName).toBe(`URI:${ALICE}`);
    expect(Date.parse(leaf.validTo) - Date.now()).toBeGreaterThan(86_400_000 - 120_000);
    const { roots } = await bundleRoots();
    expect(verifyChain(r.chain, roots)).toMatchObject({ ok: true, value: { uris: [ALICE] } });
    const issued = h.logs.find((l) => l['msg'] === 'certificate issued');
    expect(issued).toMatchObject({ spiffeId: ALICE, method: 'bootstrap-token', credential: t.id });
  });

  it('honours a requested lifetime and caps it at the maximum', async () => {
    const short = await createCertificate(h.client, csrFor(ALICE), (await token()).token, 3600);
    const long = await createCertificate(h.client, csrFor(ALICE), (await token()).token, 90 * 86_400);
    if (!short.ok || !long.ok) throw new Error('refused');
    const ttl = (pem: string) => Date.parse(new X509Certificate(pem).validTo) - Date.now();
    expect(ttl(short.chain[0])).toBeLessThanOrEqual(3_600_000);
    expect(ttl(short.chain[0])).toBeGreaterThan(3_500_000);
    expect(ttl(long.chain[0])).toBeLessThanOrEqual(7 * 86_400_000);
    expect(ttl(long.chain[0])).toBeGreaterThan(7 * 86_400_000 - 120_000);
  });

  it('refuses a replayed token', async () => {
    const t = await token();
    expect((await createCertificate(h.client, csrFor(ALICE), t.token)).ok).toBe(true);
    const again = await createCertificate(h.client, csrFor(ALICE), t.token);
    expect(again).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED, errorCode: 'TOKEN_REPLAYED_UNAUTHENTICATED' });
    if (!again.ok) {
      expect(again.details).toMatch(/already been used.*obtain a new token/);
      expect(again.details).not.toContain(t.id); // the caller learns little; the log has it
    }
    expect(h.logs.some((l) => l['msg'] === 'certificate refused' && l['reason'] === 'TOKEN_REPLAYED_UNAUTHENTICATED' && String(l['detail']).includes(t.id))).toBe(true);
  });

  it('refuses an expired token and a token with a bad signature', async () => {
    const key = Buffer.from(readFileSync(join(h.dataDir, 'bootstrap-token.key'), 'utf8').trim(), 'base64');
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = encodeToken({ v: 1, td: 'cluster.local', ns: 'shop', sa: 'alice', iat: past - 600, exp: past, jti: 'old-one', uses: 1 }, key);
    expect(await createCertificate(h.client, csrFor(ALICE), expired)).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED, errorCode: 'TOKEN_EXPIRED_UNAUTHENTICATED' });
    const t = await token();
    const forged = t.token.slice(0, -4) + (t.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await createCertificate(h.client, csrFor(ALICE), forged)).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED, errorCode: 'TOKEN_SIGNATURE_UNAUTHENTICATED' });
    expect(await createCertificate(h.client, csrFor(ALICE))).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED, errorCode: 'TOKEN_MISSING_UNAUTHENTICATED' });
    // Not a bootstrap token, and Kubernetes is not configured here.
    expect(await createCertificate(h.client, csrFor(ALICE), 'eyJhbGciOiJSUzI1NiJ9.e30.sig')).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED, errorCode: 'TOKEN_MALFORMED_UNAUTHENTICATED' });
  });

  it('refuses a token for A used with a CSR for B, and CSRs with extra names or weak keys', async () => {
    const forB = await createCertificate(h.client, csrFor(BOB), (await token('alice')).token);
    expect(forB).toMatchObject({ ok: false, code: grpc.status.PERMISSION_DENIED, errorCode: 'CSR_IDENTITY_DENIED' });
    if (!forB.ok) expect(forB.details).toContain(`requests ${BOB} but the caller is ${ALICE}`);
    const extra = await createCertificate(h.client, csrFor(ALICE, { dnsNames: ['evil.example.com'] }), (await token()).token);
    expect(extra).toMatchObject({ ok: false, code: grpc.status.PERMISSION_DENIED, errorCode: 'CSR_EXTRA_SAN_DENIED' });
    const weak = buildCsr({ key: generateWorkloadKey({ rsaBits: 1024 }), uris: [ALICE] });
    expect(await createCertificate(h.client, weak, (await token()).token)).toMatchObject({ ok: false, code: grpc.status.INVALID_ARGUMENT, errorCode: 'CSR_KEY_WEAK_INVALID' });
    expect(await createCertificate(h.client, 'not a csr', (await token()).token)).toMatchObject({ ok: false, code: grpc.status.INVALID_ARGUMENT, errorCode: 'CSR_MALFORMED_INVALID' });
    const refusal = h.logs.find((l) => l['reason'] === 'CSR_IDENTITY_DENIED');
    expect(refusal).toMatchObject({ msg: 'certificate refused', spiffeId: ALICE, method: 'bootstrap-token' });
  });

  it('renews with the current certificate instead of a new token (key rotated in the CSR)', async () => {
    const firstKey = generateWorkloadKey();
    const first = await createCertificate(h.client, buildCsr({ key: firstKey, uris: [ALICE] }), (await token()).token);
    if (!first.ok) throw new Error(first.details);
    const csr = csrFor(ALICE);
    const renewed = await createCertificate(h.client, csr, createRenewalToken({ chain: first.chain.slice(0, -1), key: firstKey, csr }));
    if (!renewed.ok) throw new Error(renewed.details);
    expect(verifyChain(renewed.chain, (await bundleRoots()).roots).ok).toBe(true);
    expect(h.logs.some((l) => l['msg'] === 'certificate issued' && l['method'] === 'certificate' && l['spiffeId'] === ALICE)).toBe(true);
    // The proof cannot be moved to another identity's CSR.
    const bobCsr = csrFor(BOB);
    const moved = await createCertificate(h.client, bobCsr, createRenewalToken({ chain: first.chain, key: firstKey, csr: bobCsr }));
    expect(moved).toMatchObject({ ok: false, code: grpc.status.PERMISSION_DENIED, errorCode: 'CSR_IDENTITY_DENIED' });
  });

  it('a certificate from another CA does not verify against the bundle', async () => {
    const other = createSelfSignedRoot({ ttlMs: 86_400_000 * 30, organization: 'cluster.local', commonName: 'impostor' });
    const ca = SigningAuthority.load({ key: other.keyPem, cert: other.certPem, intermediates: [], root: other.certPem });
    const csr = validateCsr(csrFor(ALICE), ALICE);
    const lifetime = resolveLifetime(0, DEFAULT_LIFETIME, ca.notAfter);
    if (!csr.ok || !lifetime.ok) throw new Error('setup');
    const foreign = issueCertificate(ca, csr.value, lifetime.value);
    const { roots } = await bundleRoots();
    expect(verifyChain(foreign.chain, other.certPem).ok).toBe(true);
    const r = verifyChain(foreign.chain, roots);
    expect(r.ok).toBe(false);
    // Even a chain that carries its own root is not trusted unless the root is in the bundle.
    expect(verifyChain([foreign.certPem], roots).ok).toBe(false);
  });

  it('counts issuances, refusals by reason and signing latency; is ready with CA and bundle', async () => {
    const metrics = await (await fetch(`${h.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/citadel_certificates_issued_total\{method="bootstrap-token",component="citadel"\} [1-9]/);
    expect(metrics).toMatch(/citadel_certificates_refused_total\{reason="TOKEN_REPLAYED_UNAUTHENTICATED",component="citadel"\} 1/);
    expect(metrics).toMatch(/citadel_certificates_refused_total\{reason="CSR_IDENTITY_DENIED",component="citadel"\} 2/);
    expect(metrics).toMatch(/citadel_certificate_sign_duration_seconds_count\{component="citadel"\} [1-9]/);
    expect(metrics).toMatch(/citadel_bootstrap_tokens_issued_total\{component="citadel"\} [1-9]/);
    expect(h.ready.get('ca')?.ready).toBe(true);
    expect(h.ready.get('trust-bundle')).toMatchObject({ ready: true, detail: expect.stringContaining('sextant_trust/bundle') });
  });

  it('serves /debug/ca and /debug/trust_bundle without secrets', async () => {
    const ca = (await (await fetch(`${h.adminUrl}/debug/ca`)).json()) as Record<string, unknown>;
    expect(ca).toMatchObject({ mode: 'self-signed', trustDomain: 'cluster.local', chainLength: 1, authenticators: ['bootstrap-token', 'certificate'] });
    const text = JSON.stringify(ca) + (await (await fetch(`${h.adminUrl}/debug/trust_bundle`)).text());
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toContain(readFileSync(join(h.dataDir, 'admin.secret'), 'utf8').trim());
  });
});

describe('the token endpoint', () => {
  it('wants the admin secret', async () => {
    const url = `${h.adminUrl}/ca/bootstrap-tokens`;
    const body = JSON.stringify({ namespace: 'shop', serviceAccount: 'alice' });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope' }, body })).status).toBe(401);
    const secret = readFileSync(join(h.dataDir, 'admin.secret'), 'utf8').trim();
    const ok = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${secret}` }, body });
    expect(ok.status).toBe(201);
    const bad = await fetch(url, { method: 'POST', headers: { ...headers, authorization: `Bearer ${secret}` }, body: JSON.stringify({ namespace: 'Shop!', serviceAccount: 'x' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'TOKEN_REQUEST_INVALID' });
  });
});

describe('trust bundle and root rotation', () => {
  it('publishes on start, rotates with both roots in the overlap, and signs with the new root', async () => {
    const before = await bundleRoots();
    expect(before.roots).toHaveLength(1);
    const oldRoot = before.roots[0];
    const oldCert = await createCertificate(h.client, csrFor(ALICE), (await token()).token);
    if (!oldCert.ok) throw new Error(oldCert.details);

    const secret = readFileSync(join(h.dataDir, 'admin.secret'), 'utf8').trim();
    const res = await fetch(`${h.adminUrl}/ca/rotate-root`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { previous: string; current: string; bundleVersion: number };
    expect(rotated.bundleVersion).toBe(before.version + 1);

    const after = await bundleRoots();
    expect(after.version).toBe(before.version + 1);
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.roots).toHaveLength(2);
    expect(after.roots[1]).toBe(oldRoot);
    expect(new X509Certificate(after.roots[0]).fingerprint256).toBe(rotated.current);

    const newCert = await createCertificate(h.client, csrFor(ALICE), (await token()).token);
    if (!newCert.ok) throw new Error(newCert.details);
    expect(newCert.chain[1]).toBe(after.roots[0]);
    expect(verifyChain(newCert.chain, after.roots).ok).toBe(true);
    expect(verifyChain(oldCert.chain, after.roots).ok).toBe(true);
    expect(verifyChain(newCert.chain, oldRoot).ok).toBe(false);
    const doc = (await (await fetch(`${h.adminUrl}/debug/trust_bundle`)).json()) as { anchors: { retireAt?: string }[] };
    expect(doc.anchors[1].retireAt).toBeDefined();
  });

  it('a restart reloads the same roots and does not republish an unchanged bundle', async () => {
    const before = await bundleRoots();
    h = await h.restart();
    const after = await bundleRoots();
    expect(after).toEqual(before);
    expect(h.logs.some((l) => l['msg'] === 'trust bundle published')).toBe(false);
    const t = await token();
    const r = await createCertificate(h.client, csrFor(ALICE), t.token);
    expect(r.ok && verifyChain(r.chain, after.roots).ok).toBe(true);
  });
});
