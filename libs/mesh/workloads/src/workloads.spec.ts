import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUCKETS, NatsLink, openBucket } from '@sextant/nats';
import { silentLogger, spawnNatsServer, waitFor } from '@sextant/util';
import { MeshClient, propagatedHeaders } from './mesh-client';
import { WorkloadAnnouncer } from './announcer';
import { parseWorkloadRecord, workloadKey } from './registry-entry';
import { workloadFromEnv, workloadToEnv, type WorkloadIdentity } from './workload-env';

const servers: http.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

function serve(handler: http.RequestListener): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer(handler);
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });
}

const identity: WorkloadIdentity = {
  name: 'reviews-v2', service: 'reviews', namespace: 'default', serviceAccount: 'bookinfo-reviews', instance: 'reviews-v2-0',
  version: 'v2', labels: { app: 'reviews', version: 'v2' }, address: '127.0.10.3', ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
};

describe('workload environment', () => {
  it('round-trips through the environment contract', () => {
    expect(workloadFromEnv(workloadToEnv(identity))).toEqual(identity);
  });
});

describe('MeshClient', () => {
  it('calls services by name directly, taking instances in turn', async () => {
    const hits: string[] = [];
    const a = await serve((req, res) => (hits.push('a'), res.end(req.headers.host)));
    const b = await serve((_req, res) => (hits.push('b'), res.end('b')));
    // Both instances answer on the same port in a mesh; here the map names two ports, and the URL's port selects.
    const client = new MeshClient({ SEXTANT_SERVICES: JSON.stringify({ reviews: [`127.0.0.1:${a}`, `127.0.0.2:${a}`, `127.0.0.1:${b}`] }) });
    const r1 = await client.request(`http://reviews:${a}/x`);
    expect(r1.status).toBe(200);
    expect(r1.body.toString()).toBe(`reviews:${a}`);
    await client.request(`http://reviews:${b}/x`);
    expect(hits).toEqual(['a', 'b']);
    client.close();
  });

  it('sends through the sidecar as an HTTP proxy (absolute-form target) when one is set', async () => {
    let seen = '';
    const proxy = await serve((req, res) => ((seen = `${req.method} ${req.url} host=${req.headers.host}`), res.end('via proxy')));
    const client = new MeshClient({ SEXTANT_OUTBOUND_PROXY: `http://127.0.0.1:${proxy}` });
    const r = await client.request('http://ratings:9080/ratings/0', { headers: { 'end-user': 'jason' } });
    expect(r.body.toString()).toBe('via proxy');
    expect(seen).toBe('GET http://ratings:9080/ratings/0 host=ratings:9080');
    client.close();
  });

  it('copies tracing headers and end-user only', () => {
    expect(propagatedHeaders({ traceparent: '00-abc-def-01', 'end-user': 'jason', cookie: 'secret', 'x-b3-traceid': '1' })).toEqual({
      traceparent: '00-abc-def-01', 'end-user': 'jason', 'x-b3-traceid': '1',
    });
  });
});

describe('WorkloadAnnouncer against a real NATS', () => {
  it('announces instances with health, refreshes them, and removes them on stop', async () => {
    const nats = await spawnNatsServer({ dataDir: mkdtempSync(join(tmpdir(), 'announce-')) });
    const link = new NatsLink({ url: nats.url, name: 't', logger: silentLogger() });
    link.start();
    await link.ready();
    let healthy = true;
    const announcer = new WorkloadAnnouncer(link, silentLogger(), 100);
    announcer.add({ identity, health: async () => (healthy ? 'HEALTHY' : 'UNHEALTHY') });
    announcer.start();
    const kv = await openBucket(link.nc, BUCKETS.workloads);
    const key = workloadKey('default', 'reviews-v2-0');
    await waitFor(async () => (await kv.get(key))?.value.length, { timeoutMs: 5_000, what: 'entry' });
    expect(parseWorkloadRecord((await kv.get(key))!.value)).toMatchObject({ v: 1, service: 'reviews', instance: 'reviews-v2-0', health: 'HEALTHY', address: '127.0.10.3' });
    healthy = false;
    await waitFor(async () => parseWorkloadRecord((await kv.get(key))!.value)?.health === 'UNHEALTHY', { timeoutMs: 5_000, what: 'health update' });
    await announcer.stop();
    const gone = await kv.get(key);
    expect(gone === null || gone.operation !== 'PUT').toBe(true);
    await link.close();
    await nats.stop();
  });
});
