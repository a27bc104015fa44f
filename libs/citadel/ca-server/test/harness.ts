// A Citadel wired as the app wires it, on 127.0.0.1 with port 0 everywhere:
// a real nats-server, the shared admin server, a real gRPC server and client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { AdminServer } from '@sextant/admin';
import { bindServer, createServer, shutdownServer } from '@sextant/grpc';
import { NatsLink } from '@sextant/nats';
import { certificateServiceDefinition, type IstioCertificateServiceClient } from '@sextant/proto';
import { spawnNatsServer, type SpawnedNats } from '@sextant/testing';
import { Citadel, type CitadelOptions } from '../src/index';

export interface Harness {
  citadel: Citadel;
  client: IstioCertificateServiceClient;
  nats: SpawnedNats;
  link: NatsLink;
  admin: AdminServer;
  adminUrl: string;
  dataDir: string;
  logs: Record<string, unknown>[];
  ready: Map<string, { ready: boolean; detail?: string }>;
  stop(): Promise<void>;
  /** Stops this Citadel and starts another on the same NATS and data dir (which it then owns). */
  restart(over?: Partial<CitadelOptions>): Promise<Harness>;
}

export const DAY = 86_400_000;

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'citadel-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts Citadel with its own temp dir and nats-server (or those of a harness being restarted). */
export async function startCitadel(over: Partial<CitadelOptions> = {}, reuse?: { nats: SpawnedNats; dir: { path: string; remove(): void } }): Promise<Harness> {
  const dir = reuse?.dir ?? tempDir();
  const dataDir = join(dir.path, 'data');
  const nats = reuse?.nats ?? (await spawnNatsServer({ dataDir: join(dir.path, 'nats') }));
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const admin = new AdminServer({ component: 'citadel', logger });
  const link = new NatsLink({ url: nats.url, name: 'citadel-test', logger });
  const ready = new Map<string, { ready: boolean; detail?: string }>();
  link.start();
  await link.ready(10_000);
  const citadel = Citadel.start({
    dataDir,
    trustDomain: 'cluster.local',
    rootKeyType: 'ecdsa-p256',
    rootTtlMs: 3650 * DAY,
    rootOverlapMs: 8 * DAY,
    certTtlMs: DAY,
    maxCertTtlMs: 7 * DAY,
    token: { defaultTtlMs: 15 * 60_000, maxTtlMs: DAY, maxUses: 5 },
    adminAllowRemote: false,
    logger,
    admin,
    nats: link,
    setReady: (name, r, detail) => ready.set(name, { ready: r, detail }),
    ...over,
  });
  await citadel.publishBundle();
  const bound = await admin.listen('127.0.0.1', 0);
  const server = createServer();
  server.addService(certificateServiceDefinition().service, citadel.handlers);
  const port = await bindServer(server, '127.0.0.1', 0);
  const Client = certificateServiceDefinition();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as IstioCertificateServiceClient;
  const stopParts = async () => {
    client.close();
    await shutdownServer(server, 1_000);
    citadel.close();
    await admin.close();
    await link.close();
  };
  const harness: Harness = {
    citadel,
    client,
    nats,
    link,
    admin,
    adminUrl: `http://127.0.0.1:${bound.port}`,
    dataDir,
    logs,
    ready,
    async stop() {
      await stopParts();
      await harness.nats.stop(); // the test may have replaced the server
      dir.remove();
    },
    async restart(next = {}) {
      await stopParts();
      return startCitadel({ ...over, ...next }, { nats: harness.nats, dir });
    },
  };
  return harness;
}

export type CallResult = { ok: true; chain: string[] } | { ok: false; code: grpc.status; details: string; errorCode: string | undefined };

/** One CreateCertificate call; the token goes in "authorization: Bearer". */
export function createCertificate(client: IstioCertificateServiceClient, csr: string, token?: string, validitySeconds = 0): Promise<CallResult> {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.CreateCertificate({ csr, validityDuration: validitySeconds }, md, { deadline: Date.now() + 10_000 }, (err, res) => {
      if (err) resolve({ ok: false, code: err.code, details: err.details, errorCode: err.metadata?.get('sextant-error-code')[0]?.toString() });
      else resolve({ ok: true, chain: res?.certChain ?? [] });
    });
  });
}
