import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, spawnNatsServer, waitFor } from '@sextant/util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUCKETS, NatsLink, openAllBuckets, jsonCodec } from './index';

const dataDir = mkdtempSync(join(tmpdir(), 'nats-link-'));
const links: NatsLink[] = [];
afterAll(async () => Promise.all(links.map((l) => l.close())));

describe('NatsLink against a real nats-server', () => {
  it('waits for a late server, opens the buckets, and reconnects after a restart', async () => {
    const port = 14000 + Math.floor(Math.random() * 2000);
    const link = new NatsLink({ url: `nats://127.0.0.1:${port}`, name: 'test', logger: silentLogger(), retryMs: 100 });
    links.push(link);
    const seen: boolean[] = [];
    link.onChange((c) => seen.push(c));
    link.start();
    expect(link.connected).toBe(false);

    let server = await spawnNatsServer({ dataDir, port });
    await link.ready(10_000);
    const kvs = await openAllBuckets(link.nc);
    await kvs[BUCKETS.config].put('VirtualService.default.reviews', jsonCodec.encode({ spec: { hosts: ['reviews'] } }));

    await server.stop();
    await waitFor(() => !link.connected, { timeoutMs: 10_000, what: 'disconnect' });
    server = await spawnNatsServer({ dataDir, port });
    await waitFor(() => link.connected, { timeoutMs: 15_000, what: 'reconnect' });
    const kv = (await openAllBuckets(link.nc))[BUCKETS.config];
    const entry = await kv.get('VirtualService.default.reviews');
    expect(jsonCodec.decode(entry!.value)).toEqual({ spec: { hosts: ['reviews'] } });
    expect(seen).toEqual([true, false, true]);
    await link.close();
    await server.stop();
  });
});
