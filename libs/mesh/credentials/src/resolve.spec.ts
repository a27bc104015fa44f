import { describe, expect, it } from 'vitest';
import { describeSecret, redactStoredSecret, REDACTED } from './describe';
import { resolveCredential, type CredentialLookup } from './resolve';
import type { TlsCredential } from './secret-check';
import { b64, testCert } from './testing';

const store: Record<string, TlsCredential> = {
  'istio-system/web': { certificateChain: 'WEB-CHAIN', privateKey: 'WEB-KEY', caCertificate: 'WEB-CA' },
  'istio-system/api': { certificateChain: 'API-CHAIN', privateKey: 'API-KEY' },
  'istio-system/api-cacert': { caCertificate: 'API-CA' },
  'istio-system/plain': { certificateChain: 'P', privateKey: 'K' },
  'istio-system/ca-only': { caCertificate: 'ONLY-CA' },
  'other/web': { certificateChain: 'OTHER', privateKey: 'OTHER-KEY' },
};
const lookup: CredentialLookup = (ns, name) => store[`${ns}/${name}`];

describe('resolveCredential (Istio: the proxy namespace, -cacert)', () => {
  it('serves the certificate and key as a tlsCertificate, from the proxy namespace only', () => {
    expect(resolveCredential('kubernetes://web', 'istio-system', lookup)).toEqual({
      ok: true,
      from: 'istio-system/web',
      secret: { name: 'kubernetes://web', tlsCertificate: { certificateChain: { inlineString: 'WEB-CHAIN' }, privateKey: { inlineString: 'WEB-KEY' } } },
    });
    expect(resolveCredential('kubernetes://web', 'other', lookup)).toMatchObject({ ok: true, from: 'other/web' });
    expect(resolveCredential('kubernetes://web', 'team', lookup)).toEqual({ ok: false, reason: 'no Secret team/web' });
    expect(resolveCredential('kubernetes://other/web', 'istio-system', lookup)).toEqual({
      ok: false,
      reason: 'a gateway reads Secrets of its own namespace only (the proxy is in istio-system, the Secret in other)',
    });
  });

  it('-cacert: the NAME-cacert Secret first, then ca.crt of NAME', () => {
    expect(resolveCredential('kubernetes://api-cacert', 'istio-system', lookup)).toMatchObject({ ok: true, from: 'istio-system/api-cacert', secret: { validationContext: { trustedCa: { inlineString: 'API-CA' } } } });
    expect(resolveCredential('kubernetes://web-cacert', 'istio-system', lookup)).toMatchObject({ ok: true, from: 'istio-system/web', secret: { name: 'kubernetes://web-cacert', validationContext: { trustedCa: { inlineString: 'WEB-CA' } } } });
    expect(resolveCredential('kubernetes://plain-cacert', 'istio-system', lookup)).toEqual({ ok: false, reason: 'Secret istio-system/plain holds no CA certificate (ca.crt or cacert), and there is no Secret istio-system/plain-cacert' });
    expect(resolveCredential('kubernetes://ca-only', 'istio-system', lookup)).toEqual({ ok: false, reason: 'Secret istio-system/ca-only holds no certificate and key (tls.crt and tls.key)' });
    expect(resolveCredential('default', 'istio-system', lookup).ok).toBe(false);
  });
});

describe('describeSecret / redactStoredSecret', () => {
  it('shows type, key sizes, subject, SANs and expiry, never the values', () => {
    const ca = testCert({ cn: 'Test CA', ca: true });
    const web = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com', 'www.example.com'] });
    const spec = { type: 'kubernetes.io/tls', data: { 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), 'ca.crt': b64(ca.certPem) } };
    const d = describeSecret(spec);
    expect(d.keys['tls.key']).toBe(web.keyPem.length);
    expect(d.certificate?.[0]).toMatchObject({ subject: 'CN=web.example.com', issuer: 'CN=Test CA', subjectAltNames: ['DNS:web.example.com', 'DNS:www.example.com'], isCA: false });
    expect(d.caCertificate?.[0]?.isCA).toBe(true);
    const shown = redactStoredSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web' }, spec, status: { conditions: [] } });
    expect(shown.spec).toEqual({ type: 'kubernetes.io/tls', data: { 'tls.crt': REDACTED, 'tls.key': REDACTED, 'ca.crt': REDACTED } });
    const text = JSON.stringify(shown);
    expect(text).not.toContain(b64(web.keyPem).slice(0, 40));
    expect(text).not.toContain('PRIVATE KEY');
    expect(shown.status).toMatchObject({ conditions: [], credential: { type: 'kubernetes.io/tls' } });
  });
});
