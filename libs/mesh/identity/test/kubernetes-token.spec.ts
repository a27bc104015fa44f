// The in-pod path of issue 6: the workload presents its projected
// Kubernetes service-account token (audience istio-ca), read from a file for
// every CSR, and Citadel checks it with TokenReview. Citadel is the built
// bundle (dist/apps/citadel) with --kubernetes=on and a kubeconfig naming a
// TokenReview server: kube-apiserver cannot run on these machines, so
// ./fake-apiserver.ts serves the authentication.k8s.io/v1 TokenReview API
// over real HTTPS, verifying real signed tokens the way the API server does.
// The agent is the WorkloadCertManager with the reader the proxy uses
// (serviceAccountTokenReader over a real file), and then the built proxy
// itself (dist/apps/proxy) with --sa-token-file.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsLink } from '@sextant/nats';
import { buildApp, spawnNatsServer, startApp, tempDir, waitForHttp, type RunningApp, type SpawnedNats } from '@sextant/testing';
import { freePort, waitFor } from '@sextant/util';
import { CitadelClient, createIdentityMetrics, ISTIO_CA_AUDIENCE, serviceAccountTokenReader, TrustBundleWatcher, WorkloadCertManager, type TlsCertificateSecret } from '../src/index';
import { FakeApiServer, jtiOf } from './fake-apiserver';

const dir = tempDir('sa-token-');
const api = new FakeApiServer(dir.path);
let citadel: RunningApp;
let nats: SpawnedNats;
let link: NatsLink;
let trust: TrustBundleWatcher;
let client: CitadelClient;
let adminUrl: string;
let grpcAddress: string;
let natsUrl: string;
let proxy: RunningApp | undefined;
const managers: WorkloadCertManager[] = [];
const quiet = pino({ level: 'silent' });

beforeAll(async () => {
  buildApp('citadel');
  buildApp('proxy');
  await api.start();
  nats = await spawnNatsServer({ dataDir: join(dir.path, 'nats') });
  const ports = { admin: await freePort(), grpc: await freePort() };
  citadel = startApp('apps/citadel', [], {
    NATS_URL: nats.url,
    SEXTANT_ADMIN_PORT: String(ports.admin),
    CITADEL_GRPC_PORT: String(ports.grpc),
    SEXTANT_DATA_DIR: join(dir.path, 'citadel'),
    SEXTANT_LOG_LEVEL: 'info',
    CITADEL_KUBERNETES: 'on',
    KUBERNETES_SERVICE_HOST: '', // not in a cluster: the kubeconfig below decides
    KUBECONFIG: api.writeKubeconfig(),
    CITADEL_TOKEN_AUDIENCES: ISTIO_CA_AUDIENCE,
  });
  adminUrl = `http://127.0.0.1:${ports.admin}`;
  try {
    await waitForHttp(`${adminUrl}/readyz`, 200, 60_000);
  } catch (err) {
    citadel.process.kill('SIGKILL');
    throw new Error(`citadel did not become ready: ${(err as Error).message}\n${citadel.output()}`);
  }
  link = new NatsLink({ url: nats.url, name: 'sa-token-test', logger: quiet });
  link.start();
  await link.ready(10_000);
  trust = new TrustBundleWatcher({ nats: link, trustDomain: 'cluster.local', logger: quiet });
  trust.start();
  grpcAddress = `127.0.0.1:${ports.grpc}`;
  natsUrl = nats.url;
  client = new CitadelClient({ address: grpcAddress });
}, 120_000);

afterAll(async () => {
  if (proxy?.process.exitCode === null) await proxy.stop();
  for (const m of managers) m.close();
  trust?.close();
  client?.close();
  await link?.close();
  if (citadel?.process.exitCode === null) await citadel.stop();
  await nats?.stop();
  api.close();
  dir.remove();
});

/** A workload in namespace shop whose token file holds `token`; one attempt per minute after a failure, so each refusal is counted once. */
function workload(sa: string, token: string) {
  const file = join(dir.path, `${sa}-istio-token`);
  writeFileSync(file, `${token}\n`);
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const registry = new Registry();
  const m = new WorkloadCertManager({
    identity: { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: sa },
    signer: client,
    bootstrapToken: () => undefined,
    serviceAccountToken: serviceAccountTokenReader(file, logger),
    trust,
    lifetimeSeconds: 3600,
    retry: { initialMs: 60_000, maxMs: 60_000 },
    logger,
    metrics: createIdentityMetrics(registry),
  });
  managers.push(m);
  m.start();
  return { m, file, logs, registry };
}

const citadelLog = () =>
  citadel
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const citadelLogged = (match: (l: Record<string, unknown>) => boolean, what: string) => waitFor(() => citadelLog().some(match), { timeoutMs: 5_000, what: `Citadel to log ${what}` });

async function refusedCount(reason: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const m = new RegExp(`^citadel_certificates_refused_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

async function refusal(sa: string, token: string, reason: string, detail: RegExp): Promise<void> {
  const before = await refusedCount(reason);
  const w = workload(sa, token);
  await waitFor(() => w.m.status().lastFailure, { timeoutMs: 10_000, what: `the CSR of ${sa} to be refused` });
  expect(w.m.hasCertificate).toBe(false);
  expect(w.m.status().lastFailure).toMatchObject({ stage: 'sign', code: reason });
  expect(await refusedCount(reason)).toBe(before + 1);
  expect(await w.registry.getSingleMetricAsString('sextant_workload_certificate_failures_total')).toContain(`code="${reason}"} 1`);
  await citadelLogged((l) => l['msg'] === 'certificate refused' && l['reason'] === reason && detail.test(String(l['detail'])), `the ${reason} refusal of ${sa}`);
}

describe('service-account token from a file, checked by Citadel with TokenReview', () => {
  it('gets a certificate for exactly the service account the review names', async () => {
    const token = api.mint({ namespace: 'shop', serviceAccount: 'alice' });
    const { m, registry } = workload('alice', token);
    const cert = await m.ready(20_000);
    expect(cert.method).toBe('kubernetes');
    const leaf = new X509Certificate((m.get('default') as TlsCertificateSecret).certChainPem);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/shop/sa/alice');
    // Citadel asked for the istio-ca audience with its own credentials, and the review authenticated the token.
    expect(api.reviews.find((r) => r.token === token)).toEqual({ token, audiences: ['istio-ca'], authenticated: true });
    expect(await registry.getSingleMetricAsString('sextant_workload_certificates_issued_total')).toMatch(/kind="initial",method="kubernetes"} 1/);
    await citadelLogged((l) => l['msg'] === 'certificate issued' && l['method'] === 'kubernetes' && l['credential'] === 'system:serviceaccount:shop:alice' && l['spiffeId'] === 'spiffe://cluster.local/ns/shop/sa/alice', 'the issuance');
    expect(await (await fetch(`${adminUrl}/metrics`)).text()).toMatch(/citadel_certificates_issued_total\{[^}]*method="kubernetes"[^}]*\} [1-9]/);
  });

  it('re-reads the token file for every CSR (the kubelet rotates the token)', async () => {
    const first = api.mint({ namespace: 'shop', serviceAccount: 'carol' });
    const w = workload('carol', first);
    const before = await w.m.ready(20_000);
    const second = api.mint({ namespace: 'shop', serviceAccount: 'carol' });
    writeFileSync(w.file, second);
    // The old token is no longer good (as after the kubelet's rotation and the pod's restart): only the new one can work.
    api.invalidated.add(jtiOf(first));
    // (rotateNow joins an attempt still finishing, so ask until a new certificate is in hand.)
    await waitFor(async () => {
      await w.m.rotateNow('test');
      return w.m.current!.serial !== before.serial;
    }, { timeoutMs: 10_000, what: 'a rotation with the new token' });
    expect(w.m.status().lastFailure).toBeUndefined();
    expect(w.m.current!.method).toBe('kubernetes');
    expect(api.reviews.filter((r) => r.token === second)).toEqual([{ token: second, audiences: ['istio-ca'], authenticated: true }]);
    expect(w.logs.some((l) => l['msg'] === 'service-account token changed (rotated by the kubelet)')).toBe(true);
    // The token itself never reaches the agent's log, only its claims.
    expect(JSON.stringify(w.logs)).not.toContain(second);
    expect(w.logs.find((l) => l['msg'] === 'service-account token read')?.['claims']).toMatchObject({ sub: 'system:serviceaccount:shop:carol', aud: ['istio-ca'] });
  });

  it('attack: a token the review does not authenticate (invalidated) is refused, logged and counted', async () => {
    const token = api.mint({ namespace: 'shop', serviceAccount: 'dave' });
    api.invalidated.add(jtiOf(token));
    await refusal('dave', token, 'TOKEN_REJECTED_UNAUTHENTICATED', /has been invalidated/);
  });

  it('attack: a token minted for another audience is refused, logged and counted', async () => {
    const token = api.mint({ namespace: 'shop', serviceAccount: 'erin', audiences: ['vault'] });
    await refusal('erin', token, 'TOKEN_REJECTED_UNAUTHENTICATED', /token audiences \["vault"\] is invalid for the target audiences \["istio-ca"\]/);
    expect(api.reviews.find((r) => r.token === token)).toMatchObject({ audiences: ['istio-ca'], authenticated: false });
  });

  it("attack: another service account's token cannot get this workload's SPIFFE ID", async () => {
    const stolen = api.mint({ namespace: 'shop', serviceAccount: 'frank' }); // CSR for sa/grace, token of sa/frank
    await refusal('grace', stolen, 'CSR_IDENTITY_DENIED', /requests spiffe:\/\/cluster.local\/ns\/shop\/sa\/grace but the caller is spiffe:\/\/cluster.local\/ns\/shop\/sa\/frank/);
  });

  it('attack: a forged token (not signed by the cluster) is refused', async () => {
    const real = api.mint({ namespace: 'shop', serviceAccount: 'heidi' }).split('.');
    const claims = JSON.parse(Buffer.from(real[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = [real[0], Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:istio-system:istiod' })).toString('base64url'), real[2]].join('.');
    await refusal('heidi', forged, 'TOKEN_REJECTED_UNAUTHENTICATED', /cryptographic primitive/);
  });
});

describe('the built proxy with --sa-token-file', () => {
  const GATEWAY_ID = 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
  const certs = async (admin: string) => (await (await fetch(`${admin}/certs`)).json()) as { identity: string; state: string; certificate: { serial: string; method: string } | null };
  const proxyLog = () =>
    (proxy?.output() ?? '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('presents the projected token, gets its gateway identity, and re-reads the file at each rotation', async () => {
    const file = join(dir.path, 'proxy-istio-token');
    const first = api.mint({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });
    writeFileSync(file, first);
    const ports = { admin: await freePort(), health: await freePort() };
    proxy = startApp('apps/proxy', ['--mode', 'ingress', '--sa-token-file', file], {
      NATS_URL: natsUrl,
      SEXTANT_ADMIN_PORT: String(ports.admin),
      PROXY_HEALTH_PORT: String(ports.health),
      PILOT_ADDRESS: `127.0.0.1:${await freePort()}`, // no Pilot: only the certificate is under test
      PROXY_LISTENER_HOST: '127.0.0.1',
      CITADEL_ADDRESS: grpcAddress,
      PROXY_CERT_LIFETIME: '5s', // rotations every ~4 s, each with a fresh read of the file
    });
    const admin = `http://127.0.0.1:${ports.admin}`;
    const issued = await waitFor(async () => {
      const r = await certs(admin).catch(() => undefined);
      return r?.state === 'VALID' ? r : undefined;
    }, { timeoutMs: 30_000, what: `the proxy's certificate\n${proxy.output().slice(-3000)}` });
    expect(issued).toMatchObject({ identity: GATEWAY_ID, certificate: { method: 'kubernetes' } });
    expect(api.reviews.filter((r) => r.token === first).every((r) => r.authenticated)).toBe(true);
    // The kubelet rotates the token; the old one stops working.
    const second = api.mint({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });
    writeFileSync(file, second);
    api.invalidated.add(jtiOf(first));
    await waitFor(() => api.reviews.some((r) => r.token === second && r.authenticated), { timeoutMs: 15_000, what: 'a rotation with the new token' });
    const after = await waitFor(async () => {
      const r = await certs(admin);
      return r.certificate && r.certificate.serial !== issued.certificate!.serial && api.reviews.some((x) => x.token === second) ? r : undefined;
    }, { timeoutMs: 10_000, what: 'the rotated certificate' });
    expect(after).toMatchObject({ identity: GATEWAY_ID, state: 'VALID', certificate: { method: 'kubernetes' } });
    expect(proxyLog().some((l) => l['msg'] === 'service-account token changed (rotated by the kubelet)')).toBe(true);
    expect(proxy.output()).not.toContain(second);
  }, 60_000);
});
