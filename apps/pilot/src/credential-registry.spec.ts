// The credential registry fed by config updates (the shape the batch-aware
// watch delivers), as Pilot's main wires it.
import { describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import type { ConfigUpdate, ConfigWatch } from '@sextant/config-store';
import { checkSecretObject, storedSecretOf } from '@sextant/credentials';
import { b64, testCert } from '@sextant/credentials/testing';
import { silentLogger } from '@sextant/util';
import { divertSecrets } from './credential-feed';
import { CredentialRegistry } from './credential-registry';

const ca = testCert({ cn: 'CA', ca: true });
const v1 = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com'] });
const v2 = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com'] });

function stored(name: string, cert: string, key: string, withCa = false): Resource {
  const data: Record<string, string> = { 'tls.crt': b64(cert), 'tls.key': b64(key), ...(withCa ? { 'ca.crt': b64(ca.certPem) } : {}) };
  const check = checkSecretObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'istio-system' }, type: 'kubernetes.io/tls', data });
  return storedSecretOf(check.secret!) as unknown as Resource;
}
const gateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: {} } as Resource;
const refOf = (r: Resource) => ({ kind: r.kind, namespace: r.metadata.namespace!, name: r.metadata.name });
const put = (r: Resource, revision = 1) => ({ type: 'ADDED' as const, ref: refOf(r), revision, resource: r });

function watchOf(updates: ConfigUpdate[]): ConfigWatch {
  return {
    stop() {},
    held: 0,
    async *[Symbol.asyncIterator]() {
      yield* updates;
    },
  };
}

describe('credential feed + registry', () => {
  it('takes Secrets out of each update, rotates, keeps the last valid on a bad write, deletes, and names what changed', async () => {
    const registry = new CredentialRegistry(['kubernetes', 'config']);
    const heard: string[][] = [];
    registry.onChange((keys) => heard.push([...keys]));
    const broken = { ...stored('web', v2.certPem, v2.keyPem), spec: { type: 'kubernetes.io/tls', data: { 'tls.crt': b64(v2.certPem), 'tls.key': b64(v1.keyPem) } } } as Resource;
    const passed: ConfigUpdate[] = [];
    const states: (string | undefined)[] = [];
    const updates: ConfigUpdate[] = [
      { initial: true, changes: [put(stored('web', v1.certPem, v1.keyPem, true)), put(gateway)] },
      { initial: false, changes: [{ ...put(stored('web', v2.certPem, v2.keyPem, true), 2), type: 'MODIFIED' }] },
      { initial: false, changes: [{ ...put(broken, 3), type: 'MODIFIED' }] },
      { initial: false, changes: [{ ...put(stored('web', v2.certPem, v2.keyPem), 4), type: 'DELETED' }] },
    ];
    for await (const u of divertSecrets(watchOf(updates), registry, silentLogger())) {
      passed.push(u);
      const r = registry.resolve('kubernetes://web', 'istio-system');
      if (passed.length === 3) expect(registry.status().rejected).toEqual([{ secret: 'istio-system/web', source: 'config', reason: expect.stringMatching(/^data.tls.key: the private key does not match/) }]);
      states.push(r.ok ? JSON.stringify(r.secret).includes(JSON.stringify(v1.certPem).slice(1, 80)) ? 'v1' : 'v2' : r.reason);
    }
    expect(passed.map((u) => u.changes.map((c) => c.ref.kind))).toEqual([['Gateway'], [], [], []]);
    expect(states.slice(0, 3)).toEqual(['v1', 'v2', 'v2']);
    expect(states[3]).toBe('no Secret istio-system/web');
    expect(registry.status().rejected).toEqual([]);
    expect(heard).toEqual([['Secret/istio-system/web'], ['Secret/istio-system/web'], ['Secret/istio-system/web']]);
    expect(registry.status().sources).toEqual({ kubernetes: 0, config: 0 });
  });

  it('serves NAME-cacert from ca.crt, only to proxies of the Secret namespace; the first source wins', async () => {
    const registry = new CredentialRegistry(['kubernetes', 'config']);
    for await (const _ of divertSecrets(watchOf([{ initial: true, changes: [put(stored('web', v1.certPem, v1.keyPem, true))] }]), registry, silentLogger())) void _;
    expect(registry.resolve('kubernetes://web-cacert', 'istio-system')).toMatchObject({ ok: true, secret: { validationContext: { trustedCa: { inlineString: ca.certPem } } } });
    expect(registry.resolve('kubernetes://web', 'default')).toEqual({ ok: false, reason: 'no Secret default/web' });
    registry.set('kubernetes', 'istio-system/web', { certificateChain: v2.certPem, privateKey: v2.keyPem });
    expect(registry.resolve('kubernetes://web', 'istio-system')).toMatchObject({ ok: true, secret: { tlsCertificate: { privateKey: { inlineString: v2.keyPem } } } });
    expect(registry.status().secrets).toEqual([
      { secret: 'istio-system/web', source: 'kubernetes', certificate: true, caCertificate: false },
      { secret: 'istio-system/web', source: 'config', certificate: true, caCertificate: true },
    ]);
    expect(JSON.stringify(registry.status())).not.toContain('PRIVATE KEY');
  });
});
