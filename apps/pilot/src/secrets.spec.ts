import { describe, expect, it } from 'vitest';
import { secretsFor, type CredentialSource, type SecretObject } from './secrets';

const registry = (entries: Record<string, Omit<SecretObject, 'name'>>): CredentialSource => ({
  resolve: (name, namespace) => (entries[name] && namespace === 'istio-system' ? { ok: true, secret: { name: 'ignored', ...entries[name] } } : { ok: false, reason: `no Secret ${namespace}/${name.slice(13)}` }),
});

describe('secretsFor (what Pilot serves over SDS)', () => {
  it('never serves the workload certificate or the mesh roots: the proxy resolves them locally, with no warning', () => {
    expect(secretsFor(['default', 'ROOTCA'], undefined, 'istio-system')).toEqual({ secrets: [], warnings: [] });
    expect(secretsFor(['default', 'ROOTCA'], registry({ default: { tlsCertificate: {} } }), 'istio-system')).toEqual({ secrets: [], warnings: [] });
  });

  it('serves gateway credentials the registry resolves for the proxy namespace, sorted and named as asked; warns for the rest', () => {
    const creds = registry({
      'kubernetes://web-cert': { tlsCertificate: { certificateChain: { inlineString: 'CHAIN' }, privateKey: { inlineString: 'KEY' } } },
      'kubernetes://web-cert-cacert': { validationContext: { trustedCa: { inlineString: 'CA' } } },
    });
    const out = secretsFor(['kubernetes://web-cert-cacert', 'default', 'kubernetes://web-cert', 'kubernetes://gone', 'kubernetes://web-cert'], creds, 'istio-system');
    expect(out.secrets.map((s) => s.name)).toEqual(['kubernetes://web-cert', 'kubernetes://web-cert-cacert']);
    expect(out.secrets[0]).toMatchObject({ tlsCertificate: { privateKey: { inlineString: 'KEY' } } });
    expect(out.warnings).toEqual(['SDS secret kubernetes://gone: no Secret istio-system/gone; not sent (the proxy must have it locally, or the TLS it configures cannot serve)']);
    expect(secretsFor(['kubernetes://web-cert'], creds, 'team').warnings).toEqual(['SDS secret kubernetes://web-cert: no Secret team/web-cert; not sent (the proxy must have it locally, or the TLS it configures cannot serve)']);
  });

  it('without a credential registry, says so for each credential', () => {
    expect(secretsFor(['kubernetes://web-cert'], undefined, 'istio-system').warnings).toEqual([
      'SDS secret kubernetes://web-cert: Pilot has no credential registry; not sent (the proxy must have it locally, or the TLS it configures cannot serve)',
    ]);
  });
});
