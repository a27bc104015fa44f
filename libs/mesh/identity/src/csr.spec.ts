import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { buildWorkloadCsr, generateWorkloadKey } from './csr';

const ID = 'spiffe://cluster.local/ns/shop/sa/alice';

function decode(pem: string) {
  const der = forge.pem.decode(pem)[0].body;
  const csr = forge.asn1.fromDer(der);
  const [info, alg, sig] = csr.value as forge.asn1.Asn1[];
  return { info, alg, sig, infoDer: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary') };
}

describe('buildWorkloadCsr', () => {
  it('makes a P-256 CSR whose only name is the SPIFFE URI, in a critical SAN, signed by the key', () => {
    const key = generateWorkloadKey();
    expect(key.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const pem = buildWorkloadCsr(key, ID);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\r?\n/);
    const { info, alg, sig, infoDer } = decode(pem);
    const [, subject, spki, attrs] = info.value as forge.asn1.Asn1[];
    expect((subject.value as forge.asn1.Asn1[]).length).toBe(0);
    expect(Buffer.from(forge.asn1.toDer(spki).getBytes(), 'binary').equals(key.publicKeyDer)).toBe(true);
    expect(forge.asn1.derToOid((alg.value as forge.asn1.Asn1[])[0].value as string)).toBe('1.2.840.10045.4.3.2');
    // forge decodes a BIT STRING that looks like DER into children; the raw bytes are kept aside.
    const signature = Buffer.from((sig as unknown as { bitStringContents: string }).bitStringContents.slice(1), 'binary');
    expect(verify('sha256', infoDer, createPublicKey({ key: key.publicKeyDer, format: 'der', type: 'spki' }), signature)).toBe(true);
    const ext = (((((attrs.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[]);
    expect(forge.asn1.derToOid(ext[0].value as string)).toBe('2.5.29.17');
    expect(ext[1].value).toBe('\xff');
    const names = forge.asn1.fromDer(ext[2].value as string).value as forge.asn1.Asn1[];
    expect(names).toHaveLength(1);
    expect(names[0].type).toBe(6);
    expect(names[0].value).toBe(ID);
  });

  it('is accepted by openssl', () => {
    const pem = buildWorkloadCsr(generateWorkloadKey(), ID);
    const r = spawnSync('openssl', ['req', '-verify', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    if (r.error) return; // no openssl on this machine: the forge/crypto check above stands
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verif(y|ication) OK/i);
    expect(r.stdout).toContain(`URI:${ID}`);
    expect(r.stdout).toMatch(/Subject Alternative Name: critical/);
  });

  it('refuses what is not a SPIFFE URI or not a P-256 key', () => {
    expect(() => buildWorkloadCsr(generateWorkloadKey(), 'https://example.com')).toThrow(/not a spiffe:\/\/ URI/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const key = { privateKey: p384.privateKey, privateKeyPem: '', publicKeyDer: p384.publicKey.export({ type: 'spki', format: 'der' }) };
    expect(() => buildWorkloadCsr(key, ID)).toThrow(/workload keys are ECDSA P-256/);
  });
});
