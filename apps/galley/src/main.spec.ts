// The built Galley, as users run it: boot contract, the config API over gRPC
// and REST, --config-dir, and a restart that loses nothing.
import * as grpc from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigCallError, ConfigClient } from '@sextant/galley-api';
import { bootService, expectBadSettingRefused, expectCleanShutdown, expectReadyFollowsNats, startApp, tempDir, waitForHttp, type BootedService } from '@sextant/testing';

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews.v1
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews, subset: v1 }
`;
const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: seeded
spec:
  host: reviews
`;

const dir = tempDir('galley-config-dir-');
let svc: BootedService;
let client: ConfigClient;

beforeAll(async () => {
  writeFileSync(join(dir.path, 'seed.yaml'), DR);
  svc = await bootService('galley', 'apps/galley', { grpc: 'GALLEY_GRPC_PORT' }, ['--config-dir', dir.path]);
  client = new ConfigClient(`127.0.0.1:${svc.ports['grpc']}`);
}, 60_000);
afterAll(async () => {
  client?.close();
  // The restart test replaces svc.app, and the NATS test replaces svc.nats; cleanup() only knows the first ones.
  if (svc && svc.app.process.exitCode === null) await svc.app.stop('SIGKILL');
  await svc?.nats.stop();
  await svc?.cleanup();
  dir.remove();
});

describe('galley process', () => {
  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'galley');
  });

  it('stores valid config through the gRPC API and refuses invalid config with every error', async () => {
    const res = await client.apply({ manifest: VS, source: 'vs.yaml', fieldManager: 'test' });
    expect(res.applied.map((a) => a.action)).toEqual(['created']);
    const bad = VS.replace('subset: v1 }', 'subset: v1 }\n      weight: -5').replace('reviews.v1', 'broken');
    const err = await client.apply({ manifest: bad, source: 'bad.yaml' }).catch((e: ConfigCallError) => e);
    expect(err).toBeInstanceOf(ConfigCallError);
    expect((err as ConfigCallError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as ConfigCallError).details).toMatch(/^bad\.yaml#0 VirtualService\/bookinfo\/broken: spec\.http\[0\]\.route\[0\]\.weight: /);
    await expect(client.get({ kind: 'vs', namespace: 'bookinfo', name: 'broken' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('serves the REST mirror and the debug pages on the admin port', async () => {
    const one = (await (await fetch(`${svc.admin}/apis/v1/resources/vs/bookinfo/reviews.v1`)).json()) as { metadata: { name: string } };
    expect(one.metadata.name).toBe('reviews.v1');
    const configz = (await (await fetch(`${svc.admin}/debug/configz`)).json()) as { count: number };
    expect(configz.count).toBe(2);
    const sources = (await (await fetch(`${svc.admin}/debug/sources`)).json()) as { configDir: { files: { file: string; status: string }[] }; kubernetes: unknown };
    expect(sources.configDir.files).toEqual([expect.objectContaining({ file: 'seed.yaml', status: 'applied' })]);
    expect(sources.kubernetes).toBeNull();
  });

  it('applies --config-dir files at start', async () => {
    const seeded = await client.get({ kind: 'destinationrule', name: 'seeded' });
    expect(JSON.parse(seeded.json)).toMatchObject({ metadata: { annotations: { 'sextant.io/field-manager': 'file:seed.yaml' } } });
  });

  it('exits 0 on SIGTERM within 10 s, and loses nothing across a restart', async () => {
    const before = await client.get({ kind: 'vs', namespace: 'bookinfo', name: 'reviews.v1' });
    await expectCleanShutdown(svc);
    svc.app = startApp('apps/galley', ['--config-dir', dir.path], {
      NATS_URL: svc.nats.url,
      SEXTANT_ADMIN_PORT: String(svc.ports['admin']),
      GALLEY_GRPC_PORT: String(svc.ports['grpc']),
      SEXTANT_DATA_DIR: join(dir.path, 'data'),
    });
    await waitForHttp(`${svc.admin}/readyz`);
    const after = await client.get({ kind: 'vs', namespace: 'bookinfo', name: 'reviews.v1' });
    expect(after.resourceVersion).toBe(before.resourceVersion);
    expect(after.json).toBe(before.json);
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/galley', ['--grpc-port', 'abc'], /invalid setting grpcPort \(--grpc-port \/ GALLEY_GRPC_PORT\).*is not an integer/);
  });
});
