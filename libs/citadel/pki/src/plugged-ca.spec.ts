import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIFETIME, issueCertificate, resolveLifetime } from './cert-issuer';
import { verifyChain } from './chain-verifier';
import { buildCsr, generateWorkloadKey } from './csr-builder';
import { validateCsr } from './csr-validator';
import { PkiError } from './errors';
import { loadPluggedCa } from './plugged-ca';
import { ALICE, DAY, selfSignedAuthority, writeCaCerts } from './spec-helpers';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cacerts-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function loadError(dir: string): PkiError {
  try {
    loadPluggedCa(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(PkiError);
    return err as PkiError;
  }
  throw new Error('expected loadPluggedCa to fail');
}

describe('plugged-in CA (cacerts)', () => {
  it('signs with the intermediate and answers a 3-certificate chain that verifies to the root', () => {
    const { dir, root, intermediate } = writeCaCerts(tmp());
    const ca = loadPluggedCa(dir);
    expect(ca.selfSigned).toBe(false);
    const csr = validateCsr(buildCsr({ key: generateWorkloadKey(), uris: [ALICE] }), ALICE);
    const lifetime = resolveLifetime(0, DEFAULT_LIFETIME, ca.notAfter);
    if (!csr.ok || !lifetime.ok) throw new Error('setup');
    const { chain } = issueCertificate(ca, csr.value, lifetime.value);
    expect(chain).toHaveLength(3);
    const [leaf, mid, top] = chain.map((p) => new X509Certificate(p));
    expect(mid.fingerprint256).toBe(new X509Certificate(intermediate.certPem).fingerprint256);
    expect(top.fingerprint256).toBe(new X509Certificate(root.certPem).fingerprint256);
    expect(leaf.verify(mid.publicKey) && leaf.checkIssued(mid)).toBe(true);
    expect(mid.verify(top.publicKey) && mid.checkIssued(top)).toBe(true);
    // Trusting only the root is enough: the chain carries the intermediate.
    expect(verifyChain(chain, root.certPem)).toMatchObject({ ok: true, value: { uris: [ALICE] } });
    // Without the intermediate the leaf does not verify.
    expect(verifyChain([chain[0]], root.certPem).ok).toBe(false);
  });

  it('accepts a cert-chain.pem without the root', () => {
    const { dir, intermediate } = writeCaCerts(tmp());
    writeFileSync(join(dir, 'cert-chain.pem'), intermediate.certPem);
    expect(loadPluggedCa(dir).chain).toHaveLength(2);
  });

  it.each(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'])('names the missing file %s', (file) => {
    const { dir } = writeCaCerts(tmp());
    unlinkSync(join(dir, file));
    const err = loadError(dir);
    expect(err.code).toBe('CA_FILE_MISSING');
    expect(err.message).toContain(join(dir, file));
  });

  it('names an unparsable certificate or key file', () => {
    const { dir } = writeCaCerts(tmp());
    writeFileSync(join(dir, 'ca-cert.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    expect(loadError(dir)).toMatchObject({ code: 'CA_FILE_UNPARSABLE', message: expect.stringContaining(join(dir, 'ca-cert.pem')) });
    const second = writeCaCerts(tmp());
    writeFileSync(join(second.dir, 'ca-key.pem'), 'hello');
    expect(loadError(second.dir)).toMatchObject({ code: 'CA_FILE_UNPARSABLE', message: expect.stringContaining(join(second.dir, 'ca-key.pem')) });
  });

  it('refuses an expired intermediate, naming it and the date', () => {
    const { dir } = writeCaCerts(tmp(), { now: new Date(Date.now() - 10 * DAY), intermediateTtlMs: DAY });
    const err = loadError(dir);
    expect(err.code).toBe('CA_CERT_EXPIRED');
    expect(err.message).toMatch(new RegExp(`${join(dir, 'ca-cert.pem')} expired \\d{4}-`));
  });

  it('refuses a key that does not belong to the certificate', () => {
    const { dir } = writeCaCerts(tmp());
    writeFileSync(join(dir, 'ca-key.pem'), generateWorkloadKey().export({ type: 'pkcs8', format: 'pem' }));
    const err = loadError(dir);
    expect(err.code).toBe('CA_KEY_MISMATCH');
    expect(err.message).toContain(join(dir, 'ca-key.pem'));
  });

  it('refuses a root that did not sign the chain', () => {
    const { dir } = writeCaCerts(tmp());
    writeFileSync(join(dir, 'root-cert.pem'), selfSignedAuthority().pair.certPem);
    writeFileSync(join(dir, 'cert-chain.pem'), '');
    expect(loadError(dir).code).toBe('CA_FILE_UNPARSABLE');
    const second = writeCaCerts(tmp());
    writeFileSync(join(second.dir, 'root-cert.pem'), selfSignedAuthority().pair.certPem);
    const err = loadError(second.dir);
    expect(err.code).toBe('CA_CHAIN_BROKEN');
    expect(err.message).toContain('is not signed by');
  });
});
