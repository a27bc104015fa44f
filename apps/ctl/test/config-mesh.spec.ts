// The config commands against the local mesh (`sextant up -d`, external
// NATS): apply refuses invalid config and stores valid config in the
// sextant_config bucket; get, history, rollback, delete; and a Galley that
// is killed and restarted by the supervisor still has everything.
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spawnNatsServer, waitFor, type SpawnedNats } from '@sextant/util';
import { tempDir } from '@sextant/testing';
import type { MeshStatus } from '@sextant/local-mesh';
import { sextant } from './harness';

const home = tempDir('sextant-config-');
const env = { SEXTANT_HOME: home.path } as Record<string, string>;
let nats: SpawnedNats;

const WORKLOADS = `
workloads:
  - name: echo
    service: echo
    ports:
      - { name: http, port: 18080, protocol: HTTP }
    app: echo
`;

const VS = (subset: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews.v1
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews, subset: ${subset} }
`;
const DR = `apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
spec:
  host: reviews
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
`;
const INVALID = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: broken
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews }
      weight: -5
`;

const file = (name: string, text: string) => {
  const path = join(home.path, name);
  writeFileSync(path, text);
  return path;
};
const statusJson = (): MeshStatus => JSON.parse(sextant(['status', '-o', 'json'], env).stdout) as MeshStatus;

async function bucketKeys(): Promise<string[]> {
  const nc = await connect({ servers: nats.url });
  try {
    const kv = await new Kvm(nc).open('sextant_config');
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    return keys.sort();
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats') });
  env['NATS_URL'] = nats.url;
  const up = sextant(['up', '-d', '-w', file('echo.yaml', WORKLOADS)], env);
  if (up.code !== 0) throw new Error(`sextant up failed:\n${up.stdout}\n${up.stderr}`);
}, 120_000);

afterAll(async () => {
  sextant(['down'], env);
  await nats?.stop();
  home.remove();
});

describe('config commands in the local mesh', () => {
  it('apply refuses an invalid document, prints the error and stores nothing', async () => {
    const r = sextant(['apply', '-f', file('invalid.yaml', INVALID)], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid.yaml#0 VirtualService/bookinfo/broken: spec.http[0].route[0].weight: must be >= 0 (got -5)');
    expect(r.stdout).toBe('');
    // Galley refuses it too when a client skips the CLI's own check (its REST mirror here).
    const galley = statusJson().components.find((c) => c.name === 'galley')!;
    const rest = await fetch(`http://127.0.0.1:${galley.ports['admin']}/apis/v1/apply?source=invalid.yaml`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: INVALID });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { message: string }).message).toBe('invalid.yaml#0 VirtualService/bookinfo/broken: spec.http[0].route[0].weight: must be >= 0 (got -5)');
    expect(await bucketKeys()).toEqual([]);
  });

  it('apply stores valid documents together; get shows them; the KV bucket holds them', async () => {
    const r = sextant(['apply', '-f', file('reviews.yaml', `${VS('v1')}---\n${DR}`)], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('virtualservice.networking.istio.io/reviews.v1 created\ndestinationrule.networking.istio.io/reviews created\n');
    expect(await bucketKeys()).toEqual(['DestinationRule.bookinfo.reviews', 'VirtualService.bookinfo.reviews_2Ev1']);

    const table = sextant(['get', 'virtualservices', '-n', 'bookinfo'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+GATEWAYS\s+HOSTS\s+REVISION\s+AGE\n/);
    expect(table.stdout).toMatch(/reviews\.v1\s+reviews\s+\d+\s+\d+s\n/);
    const all = sextant(['get', 'dr', '-A'], env);
    expect(all.stdout).toMatch(/^NAMESPACE\s+NAME\s+HOST/);
    expect(all.stdout).toMatch(/bookinfo\s+reviews\s+reviews/);
    const yaml = parse(sextant(['get', 'vs', 'reviews.v1', '-n', 'bookinfo', '-o', 'yaml'], env).stdout) as { metadata: Record<string, unknown>; status: { conditions: { type: string; status: string }[] } };
    expect(yaml.metadata).toMatchObject({ name: 'reviews.v1', namespace: 'bookinfo', generation: 1 });
    expect(yaml.status.conditions).toEqual([expect.objectContaining({ type: 'Accepted', status: 'True' })]);
    expect(sextant(['get', 'vs'], env).stderr).toContain('No virtualservices found in namespace default.');
  });

  it('reports unchanged, configured, --dry-run; history and rollback', () => {
    const path = join(home.path, 'reviews.yaml');
    expect(sextant(['apply', '-f', path], env).stdout).toContain('reviews.v1 unchanged');
    const dry = sextant(['apply', '-f', file('v2.yaml', VS('v2')), '--dry-run'], env);
    expect(dry.stdout).toBe('virtualservice.networking.istio.io/reviews.v1 configured (server dry run)\n');
    expect(sextant(['apply', '-f', join(home.path, 'v2.yaml')], env).stdout).toBe('virtualservice.networking.istio.io/reviews.v1 configured\n');

    const history = sextant(['config', 'history', 'vs', 'reviews.v1', '-n', 'bookinfo'], env);
    expect(history.code).toBe(0);
    const rows = history.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^REVISION\s+OPERATION\s+GENERATION\s+MANAGER\s+AGE$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(1, 4))).toEqual([
      ['PUT', '1', 'sextant'],
      ['PUT', '2', 'sextant'],
    ]);
    const first = rows[1]!.split(/\s+/)[0]!;

    const back = sextant(['config', 'rollback', 'vs', 'reviews.v1', '-n', 'bookinfo', '--to', first], env);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`^virtualservice\\.networking\\.istio\\.io/reviews\\.v1 rolled back to revision ${first} \\(now revision \\d+\\)\\n$`));
    const json = JSON.parse(sextant(['get', 'vs', 'reviews.v1', '-n', 'bookinfo', '-o', 'json'], env).stdout) as { spec: { http: { route: { destination: { subset: string } }[] }[] }; metadata: { generation: number } };
    expect(json.spec.http[0]!.route[0]!.destination.subset).toBe('v1');
    expect(json.metadata.generation).toBe(3);
    const missing = sextant(['config', 'rollback', 'vs', 'reviews.v1', '-n', 'bookinfo', '--to', '9999'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/revision 9999 of VirtualService\/bookinfo\/reviews\.v1 is not in its history/);
  });

  it('keeps everything when Galley is killed and the supervisor restarts it', async () => {
    const before = sextant(['get', 'vs', 'reviews.v1', '-n', 'bookinfo', '-o', 'json'], env).stdout;
    const galley = statusJson().components.find((c) => c.name === 'galley')!;
    process.kill(galley.pid!, 'SIGKILL');
    await waitFor(
      () => {
        const g = statusJson().components.find((c) => c.name === 'galley');
        return g && g.pid !== galley.pid && g.healthy;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'galley restarted' },
    );
    const after = sextant(['get', 'vs', 'reviews.v1', '-n', 'bookinfo', '-o', 'json'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before);
  });

  it('deletes by name and by file; a missing name is an error', () => {
    const gone = sextant(['delete', 'vs', 'reviews.v1', '-n', 'bookinfo'], env);
    expect(gone.stdout).toBe('virtualservice.networking.istio.io "reviews.v1" deleted\n');
    const notFound = sextant(['get', 'vs', 'reviews.v1', '-n', 'bookinfo'], env);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain('error: VirtualService/bookinfo/reviews.v1 not found');
    const byFile = sextant(['delete', '-f', file('dr.yaml', DR)], env);
    expect(byFile.stdout).toBe('destinationrule.networking.istio.io "reviews" deleted\n');
    expect(sextant(['delete', 'dr', 'reviews', '-n', 'bookinfo'], env).code).toBe(1);
  });
});
