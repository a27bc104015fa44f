// Gateway credential Secrets through Galley's config API: a real gRPC server
// over a real NATS KV bucket. Strict checks, all-or-nothing, redaction.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigStore } from '@sextant/config-store';
import { b64, testCert } from '@sextant/credentials/testing';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import { configServiceDefinition } from '@sextant/proto';
import { silentLogger } from '@sextant/util';
import { ConfigCallError, ConfigClient } from './config-client';
import { configServiceHandlers } from './config-service';
import { startFixture, type Fixture } from './spec-helpers';

let fx: Fixture;
let server: grpc.Server;
let client: ConfigClient;
let store: ConfigStore;

const ca = testCert({ cn: 'Example CA', ca: true });
const web = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com'] });
const web2 = testCert({ cn: 'web.example.com', issuer: ca, dns: ['web.example.com', 'www.example.com'] });
const stranger = testCert({ cn: 'stranger', issuer: ca });

const secret = (cert: string, key: string, name = 'web-credential') => `
apiVersion: v1
kind: Secret
metadata: { name: ${name}, namespace: istio-system }
type: kubernetes.io/tls
data:
  tls.crt: ${b64(cert)}
  tls.key: ${b64(key)}
  ca.crt: ${b64(ca.certPem)}
`;
const GATEWAY = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: web-gateway, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
    - port: { number: 443, name: https, protocol: HTTPS }
      hosts: [web.example.com]
      tls: { mode: SIMPLE, credentialName: web-credential }
`;
const REF = { kind: 'Secret', namespace: 'istio-system', name: 'web-credential' };

beforeAll(async () => {
  fx = await startFixture();
  const made = await fx.ingest();
  store = made.store;
  server = createServer();
  server.addService(configServiceDefinition().service, configServiceHandlers(made.ingest, silentLogger()));
  const port = await bindServer(server, '127.0.0.1', 0);
  client = new ConfigClient(`127.0.0.1:${port}`);
});
afterAll(async () => {
  client?.close();
  if (server) await shutdownServer(server, 1_000);
  await fx?.close();
});

describe('Secrets in Galley', () => {
  it('stores a TLS Secret with a Gateway in one batch; the bucket keeps the data, the API shows it redacted', async () => {
    const res = await client.apply({ manifest: `${secret(web.certPem, web.keyPem)}---${GATEWAY}`, source: 'creds.yaml', dryRun: false, fieldManager: 'test' });
    expect(res.applied.map((a) => `${a.ref?.kind}/${a.action}`)).toEqual(['Secret/created', 'Gateway/created']);
    const stored = await store.require(REF);
    expect((stored.resource.spec as { data: Record<string, string> }).data['tls.key']).toBe(b64(web.keyPem));

    const got = JSON.parse((await client.get(REF)).json) as { spec: { type: string; data: Record<string, string> }; status: { credential: { certificate: { subject: string; subjectAltNames: string[] }[] } } };
    expect(got.spec).toEqual({ type: 'kubernetes.io/tls', data: { 'ca.crt': 'REDACTED', 'tls.crt': 'REDACTED', 'tls.key': 'REDACTED' } });
    expect(got.status.credential.certificate[0]).toMatchObject({ subject: 'CN=web.example.com', subjectAltNames: ['DNS:web.example.com'] });
    const listed = await client.list({ kind: 'secrets', namespace: 'istio-system' });
    expect(listed.resources).toHaveLength(1);
    expect(listed.resources[0]!.json).not.toContain('PRIVATE KEY');
    expect(listed.resources[0]!.json).not.toContain(b64(web.keyPem).slice(0, 32));
  });

  it('refuses a key that does not match, naming file, Secret and field; nothing of the batch is stored', async () => {
    const err = await client
      .apply({ manifest: `${GATEWAY.replace('web-gateway', 'other-gateway')}---${secret(web2.certPem, stranger.keyPem)}`, source: 'bad.yaml', dryRun: false, fieldManager: 'test' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigCallError);
    expect((err as ConfigCallError).message).toContain('bad.yaml#1 Secret/istio-system/web-credential: data.tls.key: the private key does not match the certificate in data.tls.crt ("CN=web.example.com")');
    expect(await store.get({ kind: 'Gateway', namespace: 'istio-system', name: 'other-gateway' })).toBeUndefined();
    const still = await store.require(REF);
    expect((still.resource.spec as { data: Record<string, string> }).data['tls.crt']).toBe(b64(web.certPem));
  });

  it('rotates, keeps a redacted history, rolls back through the same checks, deletes', async () => {
    await client.apply({ manifest: secret(web2.certPem, web2.keyPem), source: 'rotate.yaml', dryRun: false, fieldManager: 'test' });
    const history = await client.history(REF);
    expect(history.entries).toHaveLength(2);
    for (const e of history.entries) expect(e.json).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
    await client.rollback({ ref: REF, toResourceVersion: history.entries[0]!.resourceVersion, dryRun: false, fieldManager: 'test' });
    expect(((await store.require(REF)).resource.spec as { data: Record<string, string> }).data['tls.crt']).toBe(b64(web.certPem));
    const del = await client.delete({ refs: [REF], expectedResourceVersion: '0', dryRun: false });
    expect(del.deleted).toHaveLength(1);
    expect(await store.get(REF)).toBeUndefined();
  });

  it('refuses Secret types that are not TLS credentials', async () => {
    const err = await client
      .apply({ manifest: 'apiVersion: v1\nkind: Secret\nmetadata: { name: pull }\ntype: kubernetes.io/dockerconfigjson\ndata: {}\n', source: 'pull.yaml', dryRun: false, fieldManager: 'test' })
      .then(() => undefined, (e: unknown) => e as ConfigCallError);
    expect(err?.message).toContain('pull.yaml#0 Secret/default/pull: type: secret type "kubernetes.io/dockerconfigjson" is not a TLS credential');
  });
});
