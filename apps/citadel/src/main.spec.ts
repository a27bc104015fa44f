// The built Citadel (dist/apps/citadel/main.js) as users run it: env
// settings, a real nats-server, a CSR signed over gRPC, SIGTERM -> exit 0.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustBundle, requestBootstrapToken } from '@sextant/ca-server';
import { BUCKETS, openBucket } from '@sextant/nats';
import { buildCsr, createIntermediateCa, createSelfSignedRoot, generateWorkloadKey, SigningAuthority, verifyChain } from '@sextant/pki';
import { certificateServiceDefinition, type IstioCertificateServiceClient } from '@sextant/proto';
import {
  buildApp,
  expectBadSettingRefused,
  expectCleanShutdown,
  expectReadyFollowsNats,
  spawnNatsServer,
  startApp,
  tempDir,
  waitForHttp,
  type BootedService,
} from '@sextant/testing';
import { freePort, waitFor } from '@sextant/util';

let svc: BootedService;
let dataDir: string;

beforeAll(async () => {
  buildApp('citadel');
  const dir = tempDir('citadel-app-');
  dataDir = join(dir.path, 'data');
  const nats = await spawnNatsServer({ dataDir: join(dir.path, 'nats') });
  const ports = { admin: await freePort(), grpc: await freePort() };
  const app = startApp('apps/citadel', [], {
    NATS_URL: nats.url,
    SEXTANT_ADMIN_PORT: String(ports.admin),
    CITADEL_GRPC_PORT: String(ports.grpc),
    SEXTANT_DATA_DIR: dataDir,
  });
  const admin = `http://127.0.0.1:${ports.admin}`;
  try {
    await waitForHttp(`${admin}/readyz`);
  } catch (err) {
    app.process.kill('SIGKILL');
    throw new Error(`citadel did not become ready: ${(err as Error).message}\n${app.output()}`);
  }
  svc = {
    app,
    nats,
    admin,
    ports,
    async cleanup() {
      if (app.process.exitCode === null) await app.stop('SIGKILL');
      await svc.nats.stop();
      dir.remove();
    },
  };
}, 60_000);
afterAll(async () => svc?.cleanup());

function sign(port: number, csr: string, token: string): Promise<string[]> {
  const Client = certificateServiceDefinition();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as IstioCertificateServiceClient;
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client.CreateCertificate({ csr, validityDuration: 0 }, md, { deadline: Date.now() + 10_000 }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res?.certChain ?? []);
    }),
  );
}

describe('citadel process', () => {
  it('creates its root under the data dir (key mode 0600) and is ready with CA, bundle and NATS', async () => {
    const [generation] = readdirSync(join(dataDir, 'ca', 'roots'));
    expect(statSync(join(dataDir, 'ca', 'roots', generation, 'root-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'admin.secret')).mode & 0o777).toBe(0o600);
    const ready = (await (await fetch(`${svc.admin}/readyz`)).json()) as { checks: Record<string, { ready: boolean }> };
    expect(ready.checks).toMatchObject({ ca: { ready: true }, 'trust-bundle': { ready: true }, nats: { ready: true } });
  });

  it('signs a CSR over gRPC with a bootstrap token from the admin endpoint; the chain verifies against the published bundle', async () => {
    const token = await requestBootstrapToken({ adminUrl: svc.admin, dataDir }, { namespace: 'default', serviceAccount: 'productpage' });
    const chain = await sign(svc.ports['grpc'], buildCsr({ key: generateWorkloadKey(), uris: [token.spiffeId] }), token.token);
    expect(new X509Certificate(chain[0]).subjectAltName).toBe('URI:spiffe://cluster.local/ns/default/sa/productpage');
    const nc = await connect({ servers: svc.nats.url });
    try {
      const bundle = await readTrustBundle(await openBucket(nc, BUCKETS.trust));
      expect(bundle?.document).toMatchObject({ schema: 'sextant.trust-bundle/v1', trustDomain: 'cluster.local', version: 1 });
      expect(verifyChain(chain, bundle!.document.roots).ok).toBe(true);
    } finally {
      await nc.close();
    }
    const line = await waitFor(() => svc.app.output().split('\n').find((l) => l.includes('"msg":"certificate issued"')), { timeoutMs: 5_000, what: 'issuance log line' });
    expect(JSON.parse(line)).toMatchObject({ level: 30, spiffeId: token.spiffeId, method: 'bootstrap-token', credential: token.id });
  });

  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'citadel');
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/citadel', ['--root-key-type', 'dsa'], /invalid setting rootKeyType \(--root-key-type \/ CITADEL_ROOT_KEY_TYPE\).*is not one of ecdsa-p256, rsa-2048/);
  });

  it('fails to start, naming the file, when a plugged-in CA file is missing', async () => {
    const dir = tempDir('cacerts-');
    try {
      const rootPair = createSelfSignedRoot({ ttlMs: 86_400_000 * 365, organization: 'cluster.local', commonName: 'ops root' });
      const root = SigningAuthority.load({ key: rootPair.keyPem, cert: rootPair.certPem, intermediates: [], root: rootPair.certPem });
      const mid = createIntermediateCa(root, { ttlMs: 86_400_000 * 30, organization: 'cluster.local', commonName: 'ops intermediate' });
      const cacerts = join(dir.path, 'cacerts');
      mkdirSync(cacerts);
      writeFileSync(join(cacerts, 'ca-cert.pem'), mid.certPem);
      writeFileSync(join(cacerts, 'ca-key.pem'), mid.keyPem);
      writeFileSync(join(cacerts, 'root-cert.pem'), rootPair.certPem);
      writeFileSync(join(cacerts, 'cert-chain.pem'), mid.certPem + rootPair.certPem);
      unlinkSync(join(cacerts, 'ca-key.pem'));
      const app = startApp('apps/citadel', ['--ca-certs-dir', cacerts, '--grpc-port', '0', '--admin-port', '0'], {
        NATS_URL: svc.nats.url,
        SEXTANT_DATA_DIR: join(dir.path, 'data'),
      });
      expect(await app.exited()).toBe(1);
      expect(app.output()).toContain('CA_FILE_MISSING');
      expect(app.output()).toContain(`plugged-in CA file ${join(cacerts, 'ca-key.pem')} does not exist`);
    } finally {
      dir.remove();
    }
  });

  it('exits 0 on SIGTERM within 10 s', async () => {
    await expectCleanShutdown(svc);
  });
});
