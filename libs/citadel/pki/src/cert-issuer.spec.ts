import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFETIME, issueCertificate, resolveLifetime, type Lifetime } from './cert-issuer';
import { verifyChain } from './chain-verifier';
import { buildCsr, generateWorkloadKey } from './csr-builder';
import { validateCsr, type AcceptedCsr } from './csr-validator';
import type { SigningAuthority } from './signing-authority';
import { ALICE, BOB, DAY, selfSignedAuthority } from './spec-helpers';

const HOUR = 3_600_000;

function accepted(spiffeId: string, key = generateWorkloadKey()): AcceptedCsr {
  const r = validateCsr(buildCsr({ key, uris: [spiffeId] }), spiffeId);
  if (!r.ok) throw new Error(r.errors[0].reason);
  return r.value;
}

function lifetime(authority: SigningAuthority, seconds = 0, now = new Date()): Lifetime {
  const r = resolveLifetime(seconds, DEFAULT_LIFETIME, authority.notAfter, now);
  if (!r.ok) throw new Error(r.errors[0].reason);
  return r.value;
}

describe('issuing workload certificates', () => {
  it('gives a chain that verifies with Node: leaf first, signed by the root, only the SPIFFE URI SAN', () => {
    const { authority, pair } = selfSignedAuthority();
    const issued = issueCertificate(authority, accepted(ALICE), lifetime(authority));
    expect(issued.chain).toHaveLength(2);
    expect(issued.chain[1]).toBe(new X509Certificate(pair.certPem).toString());
    const leaf = new X509Certificate(issued.chain[0]);
    const root = new X509Certificate(pair.certPem);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.subject ?? '').toBe('');
    expect(leaf.subjectAltName).toBe(`URI:${ALICE}`);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(verifyChain(issued.chain, [pair.certPem])).toEqual({ ok: true, value: { uris: [ALICE], root: root.fingerprint256 } });
  });

  it('gives a chain that forge verifies (RSA CA, RSA leaf), with the expected extensions', () => {
    const { authority, pair } = selfSignedAuthority('rsa-2048');
    const issued = issueCertificate(authority, accepted(ALICE, generateWorkloadKey({ rsaBits: 2048 })), lifetime(authority));
    const leaf = forge.pki.certificateFromPem(issued.certPem);
    // forge's verifyCertificateChain refuses any critical SAN (RFC 5280 wants it critical when the
    // subject is empty), so check the link itself: issuer name and signature.
    const root = forge.pki.certificateFromPem(pair.certPem);
    expect(root.issued(leaf)).toBe(true);
    expect(root.verify(leaf)).toBe(true);
    expect(root.verify(root)).toBe(true);
    const san = leaf.getExtension('subjectAltName') as { critical: boolean; altNames: { type: number; value: string }[] };
    expect(san.critical).toBe(true);
    expect(san.altNames).toEqual([{ type: 6, value: ALICE }]);
    expect(leaf.getExtension('keyUsage')).toMatchObject({ critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(leaf.getExtension('extKeyUsage')).toMatchObject({ serverAuth: true, clientAuth: true });
    expect(leaf.getExtension('basicConstraints')).toMatchObject({ critical: true, cA: false });
    expect(leaf.siginfo.algorithmOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
  });

  it('mixes key types: EC leaf under an RSA CA and RSA leaf under an EC CA', () => {
    for (const [caType, leafKey] of [['rsa-2048', generateWorkloadKey()], ['ecdsa-p256', generateWorkloadKey({ rsaBits: 2048 })]] as const) {
      const { authority, pair } = selfSignedAuthority(caType);
      expect(verifyChain(issueCertificate(authority, accepted(ALICE, leafKey), lifetime(authority)).chain, pair.certPem).ok).toBe(true);
    }
  });

  it('uses random, positive, distinct serials', () => {
    const { authority } = selfSignedAuthority();
    const csr = accepted(ALICE);
    const serials = new Set(Array.from({ length: 50 }, () => issueCertificate(authority, csr, lifetime(authority)).serial));
    expect(serials.size).toBe(50);
    for (const s of serials) expect(parseInt(s.slice(0, 2), 16) & 0x80).toBe(0);
  });

  it('works for mutual TLS: each side verifies the other against the root', async () => {
    const { authority, pair } = selfSignedAuthority();
    const serverKey = generateWorkloadKey();
    const clientKey = generateWorkloadKey();
    const server = issueCertificate(authority, accepted(ALICE, serverKey), lifetime(authority));
    const client = issueCertificate(authority, accepted(BOB, clientKey), lifetime(authority));
    const peers: string[] = [];
    const srv = tls.createServer({ key: serverKey.export({ type: 'pkcs8', format: 'pem' }), cert: server.chain.join(''), ca: pair.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
      peers.push(s.getPeerX509Certificate()?.subjectAltName ?? '');
      s.end('hi');
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as { port: number }).port;
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      key: clientKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: client.chain.join(''),
      ca: pair.certPem,
      // Workload certificates name a SPIFFE ID, not a host: check that instead.
      checkServerIdentity: (_host, cert) => (cert.subjectaltname === `URI:${ALICE}` ? undefined : new Error(`unexpected peer ${cert.subjectaltname}`)),
    });
    await once(sock, 'secureConnect');
    expect(sock.authorized).toBe(true);
    expect(String((await once(sock, 'data'))[0])).toBe('hi');
    sock.destroy();
    srv.close();
    expect(peers).toEqual([`URI:${BOB}`]);
  });
});

describe('certificate lifetime', () => {
  const { authority } = selfSignedAuthority();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);

  it('defaults to 24 h and starts a minute early for clock skew', () => {
    const l = lifetime(authority, 0, now);
    expect(l.notAfter.getTime() - now.getTime()).toBe(24 * HOUR);
    expect(now.getTime() - l.notBefore.getTime()).toBe(60_000);
    expect(l.cappedBy).toBeUndefined();
    const cert = new X509Certificate(issueCertificate(authority, accepted(ALICE), l).certPem);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 24 * HOUR);
  });

  it('honours a shorter request and caps a longer one at the maximum', () => {
    expect(lifetime(authority, 3600, now).notAfter.getTime() - now.getTime()).toBe(HOUR);
    const capped = lifetime(authority, 30 * 86_400, now);
    expect(capped.notAfter.getTime() - now.getTime()).toBe(DEFAULT_LIFETIME.maxTtlMs);
    expect(capped.cappedBy).toBe('max-ttl');
  });

  it('never outlives the CA', () => {
    const { authority: shortCa } = selfSignedAuthority('ecdsa-p256', 2 * DAY);
    const l = resolveLifetime(5 * 86_400, { defaultTtlMs: DAY, maxTtlMs: 10 * DAY }, shortCa.notAfter);
    expect(l.ok && l.value.cappedBy).toBe('ca-expiry');
    expect(l.ok && l.value.notAfter.getTime()).toBe(shortCa.notAfter.getTime());
  });

  it('refuses to sign once the CA has expired', () => {
    const r = resolveLifetime(0, DEFAULT_LIFETIME, new Date(now.getTime() - 1), now);
    expect(!r.ok && r.errors[0].code).toBe('CA_CERT_EXPIRED');
  });

  it('refuses a negative lifetime', () => {
    const r = resolveLifetime(-5, DEFAULT_LIFETIME, authority.notAfter, now);
    expect(!r.ok && r.errors[0].code).toBe('TTL_INVALID');
  });
});
