import { describe, expect, it } from 'vitest';
import { checkSecretObject, formatSecretIssues } from './secret-check';
import { checkStoredSecret, storedSecretOf } from './stored-secret';
import { b64, testCert } from './testing';

const ca = testCert({ cn: 'Test CA', ca: true });
const web = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com'] });
const other = testCert({ cn: 'other', issuer: ca });
const expired = testCert({ cn: 'old.example.com', issuer: ca, notAfter: new Date(Date.now() - 86_400_000) });

const tlsSecret = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'web-credential', namespace: 'istio-system' },
  type: 'kubernetes.io/tls',
  data,
  ...extra,
});

describe('checkSecretObject', () => {
  it('accepts a kubernetes.io/tls Secret with base64 data and an optional ca.crt', () => {
    const out = checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), 'ca.crt': b64(ca.certPem) }));
    expect(out.errors).toEqual([]);
    expect(out.secret?.namespace).toBe('istio-system');
    expect(out.secret?.credential).toEqual({ certificateChain: web.certPem, privateKey: web.keyPem, caCertificate: ca.certPem });
    expect(Object.keys(out.secret!.spec.data)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  it("accepts Istio's generic Opaque keys (cert, key, cacert) from stringData, defaulting type and namespace", () => {
    const out = checkSecretObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'generic' }, stringData: { cert: web.certPem, key: web.keyPem, cacert: ca.certPem } }, { defaultNamespace: 'team' });
    expect(out.errors).toEqual([]);
    expect(out.secret).toMatchObject({ namespace: 'team', spec: { type: 'Opaque' }, credential: { caCertificate: ca.certPem } });
    expect(out.secret!.spec.data['cert']).toBe(b64(web.certPem));
  });

  it('accepts a CA-only Secret (the NAME-cacert form)', () => {
    const out = checkSecretObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-credential-cacert' }, data: { 'ca.crt': b64(ca.certPem) } });
    expect(out.errors).toEqual([]);
    expect(out.secret?.credential).toEqual({ caCertificate: ca.certPem });
  });

  it('refuses a key that does not belong to the certificate, naming the field', () => {
    const out = checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(other.keyPem) }));
    expect(out.secret).toBeUndefined();
    expect(formatSecretIssues(out.errors)).toBe('data.tls.key: the private key does not match the certificate in data.tls.crt ("CN=web.example.com")');
  });

  it('refuses garbage PEM, bad base64, an expired certificate and an expired CA', () => {
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64('hello'), 'tls.key': b64(web.keyPem) })).errors).toEqual([
      { path: 'data.tls.crt', reason: 'not PEM: no -----BEGIN CERTIFICATE----- block' },
    ]);
    const garbled = web.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(garbled), 'tls.key': b64(web.keyPem) })).errors[0]).toMatchObject({ path: 'data.tls.crt', reason: expect.stringMatching(/^PEM block 1 is not a valid X.509 certificate/) });
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') })).errors[0]).toMatchObject({ path: 'data.tls.key', reason: expect.stringMatching(/^not a valid private key/) });
    expect(checkSecretObject(tlsSecret({ 'tls.crt': 'not base64!', 'tls.key': b64(web.keyPem) })).errors).toEqual([
      { path: 'data.tls.crt', reason: 'is not valid base64 (data values are base64; use stringData for plain PEM)' },
    ]);
    const old = checkSecretObject(tlsSecret({ 'tls.crt': b64(expired.certPem), 'tls.key': b64(expired.keyPem) }));
    expect(old.errors).toHaveLength(1);
    expect(old.errors[0]).toMatchObject({ path: 'data.tls.crt', reason: expect.stringMatching(/^certificate "CN=old.example.com" expired at \d{4}-/) });
    const oldCa = testCert({ cn: 'Old CA', ca: true, notAfter: new Date(Date.now() - 1000) });
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), 'ca.crt': b64(oldCa.certPem) })).errors[0]?.path).toBe('data.ca.crt');
  });

  it('refuses other Secret types, unknown keys, missing halves and mixed key names', () => {
    const docker = checkSecretObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, type: 'kubernetes.io/dockerconfigjson', data: {} });
    expect(docker.errors).toEqual([{ path: 'type', reason: 'secret type "kubernetes.io/dockerconfigjson" is not a TLS credential; Sextant stores kubernetes.io/tls and Opaque Secrets' }]);
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem) })).errors).toEqual([{ path: 'data.tls.key', reason: 'is required in a kubernetes.io/tls Secret' }]);
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), token: b64('x') })).errors[0]).toMatchObject({ path: 'data.token', reason: expect.stringMatching(/^unknown key/) });
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), 'ca.crl': b64('x') })).errors[0]?.reason).toBe('certificate revocation lists are not supported');
    expect(checkSecretObject(tlsSecret({}, { type: 'Opaque', data: { cert: b64(web.certPem) } })).errors).toEqual([{ path: 'data.key', reason: 'is required with data.cert' }]);
    expect(checkSecretObject(tlsSecret({}, { type: 'Opaque', data: {} })).errors[0]?.path).toBe('data');
    expect(checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), cert: b64(web.certPem) })).errors[0]?.reason).toMatch(/mixes/);
  });

  it('refuses a bad envelope: apiVersion, name, unknown fields', () => {
    const out = checkSecretObject({ apiVersion: 'v2', kind: 'Secret', metadata: { name: 'Bad_Name' }, spec: {}, data: {} });
    expect(out.errors.map((e) => e.path)).toEqual(['apiVersion', 'metadata.name', 'spec']);
  });

  it('reads its stored form back; an expired stored credential passes with allowExpired', () => {
    const checked = checkSecretObject(tlsSecret({ 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem) })).secret!;
    const stored = storedSecretOf(checked);
    expect(stored).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-credential', namespace: 'istio-system' }, spec: checked.spec });
    expect(checkStoredSecret(stored).secret?.credential).toEqual(checked.credential);
    const later = new Date(Date.now() + 2 * 86_400_000);
    expect(checkStoredSecret(stored, { now: later }).errors[0]?.reason).toMatch(/expired/);
    expect(checkStoredSecret(stored, { now: later, allowExpired: true }).errors).toEqual([]);
  });
});
