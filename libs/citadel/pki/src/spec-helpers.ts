// Fixtures for this lib's specs (not exported): CAs and CSRs made on the spot.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaKeyType } from './keys';
import { createIntermediateCa, createSelfSignedRoot, type CaKeyPair } from './root-ca';
import { SigningAuthority } from './signing-authority';

export const DAY = 86_400_000;
export const TD = 'cluster.local';
export const ALICE = `spiffe://${TD}/ns/default/sa/alice`;
export const BOB = `spiffe://${TD}/ns/default/sa/bob`;

export function selfSignedAuthority(keyType: CaKeyType = 'ecdsa-p256', ttlMs = 365 * DAY): { pair: CaKeyPair; authority: SigningAuthority } {
  const pair = createSelfSignedRoot({ keyType, ttlMs, organization: TD, commonName: `test root ${keyType}` });
  return { pair, authority: SigningAuthority.load({ key: pair.keyPem, cert: pair.certPem, intermediates: [], root: pair.certPem }) };
}

export interface CaCertsDir {
  dir: string;
  root: CaKeyPair;
  intermediate: CaKeyPair;
}

/** Writes an Istio-style cacerts directory: root -> intermediate (signing). */
export function writeCaCerts(dir: string, opts: { intermediateTtlMs?: number; now?: Date; keyType?: CaKeyType } = {}): CaCertsDir {
  const { pair: root, authority: rootAuthority } = selfSignedAuthority(opts.keyType, 3650 * DAY);
  const intermediate = createIntermediateCa(rootAuthority, {
    keyType: opts.keyType,
    ttlMs: opts.intermediateTtlMs ?? 365 * DAY,
    organization: TD,
    commonName: 'test intermediate',
    pathLen: 0,
    now: opts.now,
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca-cert.pem'), intermediate.certPem);
  writeFileSync(join(dir, 'ca-key.pem'), intermediate.keyPem);
  writeFileSync(join(dir, 'root-cert.pem'), root.certPem);
  writeFileSync(join(dir, 'cert-chain.pem'), intermediate.certPem + root.certPem);
  return { dir, root, intermediate };
}
