// The workload side against the real Citadel: the built bundle
// (dist/apps/citadel) as a child process, a real nats-server, gRPC on
// loopback. First issuance with a bootstrap token, rotation with renewal
// tokens on a short lifetime, root rotation seen through sextant_trust, and
// issue 6's attack tests: a replayed bootstrap token and a CSR for another
// identity are refused, and Citadel logs and counts each refusal.
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsLink } from '@sextant/nats';
import { buildApp, spawnNatsServer, startApp, tempDir, waitForHttp, type RunningApp, type SpawnedNats } from '@sextant/testing';
import { freePort, waitFor } from '@sextant/util';
import {
  CitadelClient,
  createIdentityMetrics,
  requestBootstrapToken,
  requestRootRotation,
  TrustBundleWatcher,
  verifyChain,
  WorkloadCertManager,
  type CertificateSigner,
  type TlsCertificateSecret,
  type ValidationContextSecret,
} from '../src/index';
import { Registry } from 'prom-client';

let citadel: RunningApp;
let nats: SpawnedNats;
let link: NatsLink;
let trust: TrustBundleWatcher;
let client: CitadelClient;
let adminUrl: string;
let dataDir: string;
let removeDir: () => void;
const managers: WorkloadCertManager[] = [];
const quiet = pino({ level: 'silent' });

beforeAll(async () => {
  buildApp('citadel');
  const dir = tempDir('workload-identity-');
  removeDir = dir.remove;
  dataDir = join(dir.path, 'citadel');
  nats = await spawnNatsServer({ dataDir: join(dir.path, 'nats') });
  const ports = { admin: await freePort(), grpc: await freePort() };
  citadel = startApp('apps/citadel', [], {
    NATS_URL: nats.url,
    SEXTANT_ADMIN_PORT: String(ports.admin),
    CITADEL_GRPC_PORT: String(ports.grpc),
    SEXTANT_DATA_DIR: dataDir,
    SEXTANT_LOG_LEVEL: 'info',
    CITADEL_ROOT_OVERLAP: '1h',
    CITADEL_CERT_TTL: '6s', // Citadel's default lifetime: what a workload asking for none gets
  });
  adminUrl = `http://127.0.0.1:${ports.admin}`;
  try {
    await waitForHttp(`${adminUrl}/readyz`, 200, 60_000); // generous: the machine is shared
  } catch (err) {
    citadel.process.kill('SIGKILL');
    throw new Error(`citadel did not become ready: ${(err as Error).message}\n${citadel.output()}`);
  }
  link = new NatsLink({ url: nats.url, name: 'workload-identity-test', logger: quiet });
  link.start();
  await link.ready(10_000);
  trust = new TrustBundleWatcher({ nats: link, trustDomain: 'cluster.local', logger: quiet });
  trust.start();
  client = new CitadelClient({ address: `127.0.0.1:${ports.grpc}` });
}, 120_000);

afterAll(async () => {
  for (const m of managers) m.close();
  trust?.close();
  client?.close();
  await link?.close();
  if (citadel?.process.exitCode === null) await citadel.stop();
  await nats?.stop();
  removeDir?.();
});

const mint = (sa: string) => requestBootstrapToken({ adminUrl, dataDir }, { namespace: 'shop', serviceAccount: sa });

function manager(sa: string, token: () => string | undefined, lifetimeSeconds = 3600, signer: CertificateSigner = client) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const registry = new Registry();
  const m = new WorkloadCertManager({
    identity: { trustDomain: 'cluster.local', namespace: 'shop', serviceAccount: sa },
    signer,
    bootstrapToken: token,
    trust,
    lifetimeSeconds,
    retry: { initialMs: 200, maxMs: 1_000 },
    rootChangeJitterMs: 500,
    logger,
    metrics: createIdentityMetrics(registry),
  });
  managers.push(m);
  m.start();
  return { m, logs, registry };
}

/** Waits until Citadel's log (its stdout, which may trail the gRPC answer) has a matching line. */
const citadelLogged = (match: (l: Record<string, unknown>) => boolean, what: string) =>
  waitFor(() => citadelLog().some(match), { timeoutMs: 5_000, what: `Citadel to log ${what}` });

/** Citadel's log lines (JSON) since the start. */
const citadelLog = () =>
  citadel
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function refusedCount(reason: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const m = new RegExp(`^citadel_certificates_refused_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('WorkloadCertManager against Citadel', () => {
  it('obtains its first certificate with a bootstrap token and serves default and ROOTCA', async () => {
    const t = await mint('alice');
    const { m, registry } = manager('alice', () => t.token);
    const cert = await m.ready(20_000);
    expect(cert.method).toBe('bootstrap-token');
    const secret = m.get('default') as TlsCertificateSecret;
    expect(secret.kind).toBe('tlsCertificate');
    const leaf = new X509Certificate(secret.certChainPem);
    expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/shop/sa/alice');
    expect(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(secret.privateKeyPem))).toBe(true);
    expect(secret.notAfter?.getTime()).toBe(Date.parse(leaf.validTo));
    const roots = m.get('ROOTCA') as ValidationContextSecret;
    expect(verifyChain(secret.certChainPem, roots.trustedCaPem).ok).toBe(true);
    expect(m.status()).toMatchObject({ identity: 'spiffe://cluster.local/ns/shop/sa/alice', state: 'VALID', certificate: { serial: cert.serial } });
    expect(await registry.getSingleMetricAsString('sextant_workload_certificates_issued_total')).toMatch(/kind="initial",method="bootstrap-token"} 1/);
    await citadelLogged((l) => l['msg'] === 'certificate issued' && l['credential'] === t.id && l['method'] === 'bootstrap-token', 'the issuance');
  });

  it("rotates at ~80 % of Citadel's (short) default lifetime with renewal tokens, never without a certificate", async () => {
    const t = await mint('reviews');
    const { m, logs } = manager('reviews', () => t.token, 0); // 0: Citadel's --cert-ttl (6 s here)
    const first = await m.ready(20_000);
    const life = first.notAfter.getTime() - first.issuedAt.getTime();
    expect(life).toBeGreaterThan(4_500);
    expect(life).toBeLessThanOrEqual(6_000);
    const ratio = (first.rotateAt.getTime() - first.issuedAt.getTime()) / life;
    expect(ratio).toBeGreaterThanOrEqual(0.74);
    expect(ratio).toBeLessThanOrEqual(0.8);
    const serials = new Set<string>([first.serial]);
    let gaps = 0;
    await waitFor(
      () => {
        if (!m.get('default')) gaps++;
        serials.add(m.current!.serial);
        return serials.size >= 3;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'two rotations' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    });
    expect(gaps).toBe(0);
    expect(m.current!.method).toBe('renewal');
    expect(logs.filter((l) => l['msg'] === 'workload certificate rotated').length).toBeGreaterThanOrEqual(2);
    await citadelLogged((l) => l['msg'] === 'certificate issued' && l['method'] === 'certificate' && String(l['spiffeId']).endsWith('/sa/reviews'), 'a renewal');
  }, 40_000);

  it('retries with growing backoff while Citadel is unreachable, and the unsent token still works', async () => {
    const t = await mint('echo');
    const dead = new CitadelClient({ address: `127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });
    let target: CitadelClient = dead;
    // Citadel "moves" to its real address after a few failed attempts.
    const { m, logs } = manager('echo', () => t.token, 3600, { createCertificate: (req) => target.createCertificate(req) });
    await waitFor(() => m.status().consecutiveFailures >= 3, { timeoutMs: 15_000, what: 'three failed attempts' });
    expect(m.status().lastFailure).toMatchObject({ stage: 'sign', code: 'UNAVAILABLE' });
    const delays = logs.filter((l) => String(l['msg']).includes('issuance failed')).map((l) => Number(l['retryInMs']));
    expect(delays.length).toBeGreaterThanOrEqual(3);
    // Jittered exponential: attempt n waits between 0.5 and 1 times min(1000, 200 * 2^(n-1)).
    delays.slice(0, 3).forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0.5 * 200 * 2 ** i - 1);
      expect(d).toBeLessThanOrEqual(200 * 2 ** i + 1);
    });
    target = client;
    const cert = await m.ready(15_000);
    expect(cert.method).toBe('bootstrap-token');
    dead.close();
  });

  it('attack: a replayed bootstrap token is refused, logged and counted by Citadel', async () => {
    const t = await mint('ratings');
    const honest = manager('ratings', () => t.token);
    await honest.m.ready(20_000);
    const before = await refusedCount('TOKEN_REPLAYED_UNAUTHENTICATED');
    const replayer = manager('ratings', () => t.token);
    await waitFor(() => replayer.m.status().lastFailure, { timeoutMs: 10_000, what: 'the replay to fail' });
    expect(replayer.m.hasCertificate).toBe(false);
    expect(replayer.m.status().lastFailure).toMatchObject({ stage: 'sign', code: 'TOKEN_REPLAYED_UNAUTHENTICATED' });
    expect(await refusedCount('TOKEN_REPLAYED_UNAUTHENTICATED')).toBe(before + 1);
    await citadelLogged((l) => l['msg'] === 'certificate refused' && l['reason'] === 'TOKEN_REPLAYED_UNAUTHENTICATED' && String(l['detail']).includes(t.id), 'the replay refusal');
    // The agent does not send a token it knows is spent again.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(replayer.m.status().lastFailure).toMatchObject({ stage: 'token', code: 'BOOTSTRAP_TOKEN_SPENT' });
    expect(await refusedCount('TOKEN_REPLAYED_UNAUTHENTICATED')).toBe(before + 1);
    expect(await replayer.registry.getSingleMetricAsString('sextant_workload_certificate_failures_total')).toMatch(/stage="sign",code="TOKEN_REPLAYED_UNAUTHENTICATED"} 1/);
  });

  it('attack: a CSR for another identity than the token names is refused, logged and counted', async () => {
    const t = await mint('details'); // token for sa/details, CSR for sa/productpage
    const before = await refusedCount('CSR_IDENTITY_DENIED');
    const thief = manager('productpage', () => t.token);
    await waitFor(() => thief.m.status().lastFailure, { timeoutMs: 10_000, what: 'the CSR to be refused' });
    expect(thief.m.hasCertificate).toBe(false);
    expect(thief.m.status().lastFailure).toMatchObject({ stage: 'sign', code: 'CSR_IDENTITY_DENIED' });
    expect(await refusedCount('CSR_IDENTITY_DENIED')).toBe(before + 1);
    await citadelLogged((l) => l['msg'] === 'certificate refused' && l['reason'] === 'CSR_IDENTITY_DENIED' && l['spiffeId'] === 'spiffe://cluster.local/ns/shop/sa/details', 'the identity refusal');
  });

  it('trusts old and new roots during a root rotation and moves to the new root early', async () => {
    const t = await mint('gateway');
    const { m, logs } = manager('gateway', () => t.token);
    const before = await m.ready(20_000);
    const changes: string[] = [];
    m.onChange((name) => changes.push(name));
    const rotated = await requestRootRotation({ adminUrl, dataDir });
    await waitFor(() => trust.roots().length === 2, { timeoutMs: 10_000, what: 'the bundle with both roots' });
    const roots = (m.get('ROOTCA') as ValidationContextSecret).trustedCaPem;
    expect(roots.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    // The old certificate still verifies during the overlap and is served until the new one is in hand.
    expect(verifyChain(before.chain, roots).ok).toBe(true);
    await waitFor(() => m.current!.serial !== before.serial, { timeoutMs: 15_000, what: 'an early rotation' });
    expect(changes).toContain('ROOTCA');
    expect(changes).toContain('default');
    expect(m.current!.root).toBe(new X509Certificate(trust.roots()[0]).fingerprint256);
    expect(m.current!.root).not.toBe(before.root);
    expect(rotated.bundleVersion).toBe(trust.version());
    expect(logs.some((l) => String(l['msg']).includes('rotating early'))).toBe(true);
  });
});
