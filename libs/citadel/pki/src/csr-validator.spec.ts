import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { children, der, derSequence, parseDer, toPem } from './asn1';
import { buildCsr, buildCsrDer, generateWorkloadKey } from './csr-builder';
import { parseCsrPem } from './csr-parser';
import { validateCsr } from './csr-validator';
import { ALICE, BOB } from './spec-helpers';

const ecKey = generateWorkloadKey();

function refusalOf(pem: string, caller = ALICE) {
  const r = validateCsr(pem, caller);
  if (r.ok) throw new Error('expected a refusal');
  expect(r.errors).toHaveLength(1);
  return r.errors[0];
}

describe('CSR validation', () => {
  it('accepts an EC P-256 CSR for exactly the caller', () => {
    const r = validateCsr(buildCsr({ key: ecKey, uris: [ALICE] }), ALICE);
    expect(r.ok && r.value).toMatchObject({ spiffeId: ALICE, keyLabel: 'EC prime256v1' });
  });

  it('accepts RSA 2048 and EC P-384 keys', () => {
    for (const key of [generateWorkloadKey({ rsaBits: 2048 }), generateWorkloadKey('ec-p384')]) {
      expect(validateCsr(buildCsr({ key, uris: [ALICE] }), ALICE).ok).toBe(true);
    }
  });

  it('accepts a CSR made by the openssl CLI (interop)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csr-'));
    try {
      execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'k.pem')]);
      execFileSync('openssl', ['req', '-new', '-key', join(dir, 'k.pem'), '-subj', '/O=ignored', '-addext', `subjectAltName=URI:${ALICE}`, '-out', join(dir, 'r.pem')]);
      expect(validateCsr(readFileSync(join(dir, 'r.pem'), 'utf8'), ALICE).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a CSR for another identity', () => {
    const r = refusalOf(buildCsr({ key: ecKey, uris: [BOB] }));
    expect(r.code).toBe('CSR_IDENTITY_DENIED');
    expect(r.reason).toContain(BOB);
    expect(r.reason).toContain(`the caller is ${ALICE}`);
  });

  it('refuses an extra DNS SAN, IP, email or second URI, naming it', () => {
    const cases = [
      [{ dnsNames: ['alice.default.svc'] }, 'DNS:alice.default.svc'],
      [{ ipAddresses: ['10.0.0.7'] }, 'IP:10.0.0.7'],
      [{ ipAddresses: ['fd00::1'] }, 'IP:fd00:0:0:0:0:0:0:1'],
      [{ emails: ['alice@example.com'] }, 'email:alice@example.com'],
      [{ uris: [ALICE, BOB] }, BOB],
    ] as const;
    for (const [extra, named] of cases) {
      const uris = 'uris' in extra ? [...extra.uris] : [ALICE];
      const r = refusalOf(buildCsr({ key: ecKey, ...extra, uris }));
      expect(r.code).toBe('CSR_EXTRA_SAN_DENIED');
      expect(r.reason).toContain(named);
    }
  });

  it('refuses a CSR without a URI SAN', () => {
    expect(refusalOf(buildCsr({ key: ecKey })).code).toBe('CSR_SAN_MISSING_INVALID');
  });

  it('refuses a CSR whose signature does not verify', () => {
    const tampered = buildCsrDer({ key: ecKey, uris: [ALICE] });
    tampered[tampered.length - 1] ^= 0x01;
    expect(refusalOf(toPem('CERTIFICATE REQUEST', tampered)).code).toBe('CSR_SIGNATURE_INVALID');
    // The request of one key carrying the signature of another: also refused.
    const a = parseDer(buildCsrDer({ key: ecKey, uris: [ALICE] }));
    const b = parseDer(buildCsrDer({ key: generateWorkloadKey(), uris: [ALICE] }));
    const spliced = derSequence([der(children(a)[0]), der(children(a)[1]), der(children(b)[2])]);
    expect(refusalOf(toPem('CERTIFICATE REQUEST', spliced)).code).toBe('CSR_SIGNATURE_INVALID');
  });

  it('refuses an RSA 1024 key as weak, and curves other than P-256/P-384', () => {
    const weak = refusalOf(buildCsr({ key: generateWorkloadKey({ rsaBits: 1024 }), uris: [ALICE] }));
    expect(weak).toMatchObject({ code: 'CSR_KEY_WEAK_INVALID' });
    expect(weak.reason).toContain('RSA 1024');
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    expect(refusalOf(buildCsr({ key: p521, uris: [ALICE] })).code).toBe('CSR_KEY_UNSUPPORTED_INVALID');
  });

  it('refuses a signature algorithm that does not fit the key', () => {
    const csr = buildCsr({ key: ecKey, uris: [ALICE], signatureAlgorithm: '1.2.840.10045.4.3.2' });
    expect(validateCsr(csr, ALICE).ok).toBe(true);
    const rsa = generateWorkloadKey({ rsaBits: 2048 });
    const csrDer = buildCsrDer({ key: rsa, uris: [ALICE] });
    // Rewrite the AlgorithmIdentifier to claim ECDSA while the key is RSA.
    const rsaAlg = Buffer.from('300d06092a864886f70d01010b0500', 'hex');
    const ecAlg = Buffer.from('300a06082a8648ce3d040302', 'hex');
    const at = csrDer.lastIndexOf(rsaAlg);
    expect(at).toBeGreaterThan(0);
    const swapped = Buffer.concat([csrDer.subarray(0, at), ecAlg, csrDer.subarray(at + rsaAlg.length)]);
    // Outer length shrinks by 3 bytes: fix the 2-byte length of the outer SEQUENCE.
    swapped.writeUInt16BE(swapped.readUInt16BE(2) - 3, 2);
    expect(refusalOf(toPem('CERTIFICATE REQUEST', swapped)).code).toBe('CSR_ALGORITHM_INVALID');
  });

  it('refuses what is not one PEM CSR of well-formed DER', () => {
    const good = buildCsr({ key: ecKey, uris: [ALICE] });
    for (const bad of ['', 'hello', good + good, good.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'), toPem('CERTIFICATE REQUEST', Buffer.from('3003020100', 'hex')), 'x'.repeat(20_000)]) {
      expect(refusalOf(bad).code).toBe('CSR_MALFORMED_INVALID');
    }
  });

  it('parses what the CSR asks for without judging it', () => {
    const r = parseCsrPem(buildCsr({ key: ecKey, uris: [ALICE], dnsNames: ['a.example'], subject: [['2.5.4.3', 'alice']] }));
    expect(r.ok && r.value.names).toEqual({ uris: [ALICE], dnsNames: ['a.example'], ipAddresses: [], emails: [], other: [] });
    expect(r.ok && r.value.key).toMatchObject({ type: 'ec', curve: 'prime256v1' });
  });
});
