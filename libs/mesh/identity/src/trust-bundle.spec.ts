import { describe, expect, it } from 'vitest';
import { decodeTrustBundle, encodeTrustBundle, TRUST_BUNDLE_SCHEMA, TrustBundleFormatError, type TrustBundleDocument } from './trust-bundle';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const doc: TrustBundleDocument = {
  schema: TRUST_BUNDLE_SCHEMA,
  trustDomain: 'cluster.local',
  version: 3,
  updatedAt: '2026-01-01T00:00:00.000Z',
  roots: [PEM],
  anchors: [{ pem: PEM, fingerprint: 'AA:BB', subject: 'O=cluster.local', notAfter: '2036-01-01T00:00:00.000Z' }],
};

describe('trust bundle codec', () => {
  it('round-trips a document', () => {
    expect(decodeTrustBundle(encodeTrustBundle(doc))).toEqual(doc);
    expect(decodeTrustBundle(JSON.stringify(doc))).toEqual(doc);
  });

  it('names the field that is wrong', () => {
    const bad = (over: Record<string, unknown>) => () => decodeTrustBundle({ ...doc, ...over });
    expect(bad({ schema: 'v0' })).toThrow(/schema is "v0", expected sextant.trust-bundle\/v1/);
    expect(bad({ trustDomain: '' })).toThrow(/trustDomain must be a non-empty string/);
    expect(bad({ version: -1 })).toThrow(/version must be a non-negative integer/);
    expect(bad({ updatedAt: 'yesterday' })).toThrow(/updatedAt must be an ISO date/);
    expect(bad({ roots: 'x' })).toThrow(/roots must be an array/);
    expect(bad({ roots: [PEM, 'nope'] })).toThrow(/roots\[1\] is not a PEM certificate/);
    expect(bad({ anchors: [{ pem: PEM }] })).toThrow(/anchors\[0\].fingerprint must be a string/);
    expect(() => decodeTrustBundle('{')).toThrow(TrustBundleFormatError);
    expect(() => decodeTrustBundle('[]')).toThrow(/document is not an object/);
  });
});
