// The built proxy (ingress mode) with a workload certificate: the built
// Citadel and Pilot, a real nats-server. Not ready until the certificate is
// in hand even with its xDS config ACKed; the token file is read when a
// token is needed (a supervisor may write it later); /certs shows the
// identity, serial, expiry and roots like Envoy's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, spawnNatsServer, startApp, tempDir, waitForHttp, type RunningApp, type SpawnedNats } from '@sextant/testing';
import { freePort, waitFor } from '@sextant/util';
import { requestBootstrapToken } from '@sextant/workload-identity';

const dir = tempDir('proxy-cert-');
const tokenFile = join(dir.path, 'gateway.token');
let nats: SpawnedNats;
const apps: RunningApp[] = [];
let citadelAdmin: string;
let proxyAdmin: string;
let proxyHealth: string;

async function ready(name: string, url: string, app: RunningApp): Promise<void> {
  try {
    await waitForHttp(url, 200, 30_000);
  } catch (err) {
    throw new Error(`${name} did not become ready: ${(err as Error).message}\n${app.output().slice(-3000)}`);
  }
}

beforeAll(async () => {
  for (const a of ['citadel', 'pilot', 'proxy']) buildApp(a);
  nats = await spawnNatsServer({ dataDir: join(dir.path, 'nats') });
  const p = { citadelAdmin: await freePort(), citadelGrpc: await freePort(), pilotAdmin: await freePort(), xds: await freePort(), xdsTls: await freePort(), webhook: await freePort() };
  const citadel = startApp('apps/citadel', [], { NATS_URL: nats.url, SEXTANT_ADMIN_PORT: String(p.citadelAdmin), CITADEL_GRPC_PORT: String(p.citadelGrpc), SEXTANT_DATA_DIR: join(dir.path, 'citadel') });
  const pilot = startApp('apps/pilot', [], { NATS_URL: nats.url, SEXTANT_ADMIN_PORT: String(p.pilotAdmin), PILOT_XDS_PORT: String(p.xds), PILOT_XDS_TLS_PORT: String(p.xdsTls), PILOT_WEBHOOK_PORT: String(p.webhook), PILOT_KUBERNETES: 'off' });
  apps.push(citadel, pilot);
  citadelAdmin = `http://127.0.0.1:${p.citadelAdmin}`;
  await ready('citadel', `${citadelAdmin}/readyz`, citadel);
  await ready('pilot', `http://127.0.0.1:${p.pilotAdmin}/readyz`, pilot);
  const ports = { admin: await freePort(), health: await freePort() };
  const proxy = startApp('apps/proxy', ['--mode', 'ingress'], {
    NATS_URL: nats.url,
    SEXTANT_ADMIN_PORT: String(ports.admin),
    PROXY_HEALTH_PORT: String(ports.health),
    PILOT_ADDRESS: `127.0.0.1:${p.xds}`,
    PROXY_LISTENER_HOST: '127.0.0.1',
    CITADEL_ADDRESS: `127.0.0.1:${p.citadelGrpc}`,
    SEXTANT_BOOTSTRAP_TOKEN_FILE: tokenFile, // written later
    PROXY_CERT_LIFETIME: '1h',
  });
  apps.push(proxy);
  proxyAdmin = `http://127.0.0.1:${ports.admin}`;
  proxyHealth = `http://127.0.0.1:${ports.health}`;
}, 120_000);

afterAll(async () => {
  for (const a of apps.reverse()) if (a.process.exitCode === null) await a.stop();
  await nats?.stop();
  dir.remove();
});

const certs = async () => (await (await fetch(`${proxyAdmin}/certs`)).json()) as Record<string, unknown> & { certificates: { ca_cert: Record<string, unknown>[]; cert_chain: Record<string, unknown>[] }[] };

describe('proxy workload certificate', () => {
  it('is not ready without its certificate, even with its config ACKed', async () => {
    // The xDS side is done: Pilot's listeners and clusters are ACKed.
    await waitFor(
      async () => {
        const text = await (await fetch(`${proxyAdmin}/stats?filter=update_success`)).text();
        return /listener_manager\.lds\.update_success: [1-9]/.test(text) && /cluster_manager\.cds\.update_success: [1-9]/.test(text);
      },
      { timeoutMs: 20_000, what: 'LDS and CDS to be ACKed' },
    );
    const report = await waitFor(async () => {
      const r = await certs();
      return (r['lastFailure'] as { code?: string } | null)?.code === 'NO_BOOTSTRAP_TOKEN' ? r : undefined;
    }, { timeoutMs: 20_000, what: 'the first attempt to fail for want of a token' });
    expect(report).toMatchObject({ identity: 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', state: 'PENDING' });
    expect((await fetch(`${proxyAdmin}/ready`)).status).toBe(503);
    expect((await fetch(`${proxyHealth}/healthz/ready`)).status).toBe(503);
    const readyz = (await (await fetch(`${proxyAdmin}/readyz`)).json()) as { checks: Record<string, { ready: boolean }> };
    expect(readyz.checks['certificate']).toMatchObject({ ready: false });
  });

  it('reads the token file when it appears, then is ready and shows its certificate on /certs', async () => {
    const t = await requestBootstrapToken({ adminUrl: citadelAdmin, dataDir: join(dir.path, 'citadel') }, { namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account' });
    writeFileSync(tokenFile, `${t.token}\n`, { mode: 0o600 });
    await waitForHttp(`${proxyHealth}/healthz/ready`, 200, 30_000);
    expect((await fetch(`${proxyAdmin}/ready`)).status).toBe(200);
    const r = await certs();
    expect(r).toMatchObject({ state: 'VALID', certificate: { method: 'bootstrap-token', chainLength: 2 }, bundleVersion: 1 });
    const [leaf] = r.certificates[0].cert_chain;
    expect(leaf['subject_alt_names']).toEqual([{ uri: 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account' }]);
    expect(Number(leaf['seconds_until_expiration'])).toBeGreaterThan(3_400);
    expect(Number(leaf['seconds_until_expiration'])).toBeLessThanOrEqual(3_600);
    expect(r.certificates[0].ca_cert).toHaveLength(1);
    const metrics = await (await fetch(`${proxyAdmin}/metrics`)).text();
    expect(metrics).toMatch(/sextant_workload_certificates_issued_total\{[^}]*kind="initial"[^}]*method="bootstrap-token"[^}]*\} 1/);
    expect(metrics).toMatch(/sextant_workload_certificate_failures_total\{[^}]*stage="token"[^}]*code="NO_BOOTSTRAP_TOKEN"[^}]*\} [1-9]/);
  });
});
