import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeKey, publicKeyFromSpki, signatureAlgorithmFor } from './keys';

const pairs = {
  'RSA 2048': generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'RSA 1023': generateKeyPairSync('rsa', { modulusLength: 1023 }),
  'RSA 3072 e=3': generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 }),
  'EC P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'EC P-384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  'EC P-521': generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  'EC secp256k1': generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
  Ed25519: generateKeyPairSync('ed25519'),
};

describe('public keys from SubjectPublicKeyInfo', () => {
  it.each(Object.entries(pairs))('%s: same key and description as DER decoding', (_name, pair) => {
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    const { key, description } = publicKeyFromSpki(spki);
    expect(key.export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
    expect(description).toEqual(describeKey(createPublicKey({ key: spki, format: 'der', type: 'spki' })));
  });

  it('knows which keys can be CA keys', () => {
    expect(signatureAlgorithmFor(pairs['EC P-256'].privateKey)?.name).toBe('ecdsa-with-SHA256');
    expect(signatureAlgorithmFor(pairs['EC P-384'].privateKey)?.name).toBe('ecdsa-with-SHA384');
    expect(signatureAlgorithmFor(pairs['RSA 2048'].privateKey)?.name).toBe('sha256WithRSAEncryption');
    expect(signatureAlgorithmFor(pairs['RSA 1023'].privateKey)).toBeUndefined();
    expect(signatureAlgorithmFor(pairs.Ed25519.privateKey)).toBeUndefined();
  });
});
