// Kubernetes Secret -> gateway credential (no API server runs here: the
// conversion and the watcher's bookkeeping, driven through its event seam).
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { b64, testCert } from '@sextant/credentials/testing';
import { silentLogger } from '@sextant/util';
import { convertKubeSecret, KubeSecretWatcher } from './kube-secrets';

const ca = testCert({ cn: 'CA', ca: true });
const web = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com'] });
const other = testCert({ cn: 'other', issuer: ca });

const secret = (name: string, type: string | undefined, data: Record<string, string>): V1Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'istio-system' }, ...(type ? { type } : {}), data });

describe('convertKubeSecret', () => {
  it('kubernetes.io/tls with ca.crt, and Opaque with generic keys, become credentials', () => {
    expect(convertKubeSecret(secret('web', 'kubernetes.io/tls', { 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem), 'ca.crt': b64(ca.certPem) }))).toEqual({
      kind: 'credential',
      key: 'istio-system/web',
      credential: { certificateChain: web.certPem, privateKey: web.keyPem, caCertificate: ca.certPem },
    });
    expect(convertKubeSecret(secret('gen', 'Opaque', { cert: b64(web.certPem), key: b64(web.keyPem) }))).toMatchObject({ kind: 'credential', credential: { privateKey: web.keyPem } });
    expect(convertKubeSecret(secret('web-cacert', undefined, { 'ca.crt': b64(ca.certPem) }))).toMatchObject({ kind: 'credential', credential: { caCertificate: ca.certPem } });
  });

  it('ignores Secrets that are not TLS credentials; rejects broken ones with the field and reason', () => {
    expect(convertKubeSecret(secret('token', 'kubernetes.io/service-account-token', { token: b64('x') }))).toEqual({ kind: 'ignored', key: 'istio-system/token' });
    expect(convertKubeSecret(secret('db', 'Opaque', { password: b64('x') }))).toEqual({ kind: 'ignored', key: 'istio-system/db' });
    expect(convertKubeSecret(secret('bad', 'kubernetes.io/tls', { 'tls.crt': b64(web.certPem), 'tls.key': b64(other.keyPem) }))).toEqual({
      kind: 'rejected',
      key: 'istio-system/bad',
      reason: 'data.tls.key: the private key does not match the certificate in data.tls.crt ("CN=web.example.com")',
    });
  });
});

describe('KubeSecretWatcher events', () => {
  it('adds, replaces and deletes credentials and tells listeners which Secret changed', () => {
    const w = new KubeSecretWatcher({ kubeConfig: new KubeConfig(), logger: silentLogger() });
    const heard: string[][] = [];
    w.onChange((keys) => heard.push(keys));
    w.update(secret('web', 'kubernetes.io/tls', { 'tls.crt': b64(web.certPem), 'tls.key': b64(web.keyPem) }));
    w.update(secret('token', 'kubernetes.io/service-account-token', { token: b64('x') }));
    expect([...w.credentials().keys()]).toEqual(['istio-system/web']);
    w.update(secret('web', 'kubernetes.io/tls', { 'tls.crt': b64(web.certPem), 'tls.key': b64(other.keyPem) }));
    expect(w.credentials().size).toBe(0);
    expect(w.rejected().get('istio-system/web')).toMatch(/does not match/);
    w.update(secret('web', 'kubernetes.io/tls', {}), true);
    expect(w.rejected().size).toBe(0);
    expect(heard).toEqual([['istio-system/web'], ['istio-system/web'], ['istio-system/web']]);
  });
});
