// A stream whose client stops reading must not hold anyone else up: sends
// to it wait (bounded), pushes to it coalesce, and after sendTimeoutMs it is
// closed, while other proxies keep getting every push.
import { connect as http2Connect } from 'node:http2';
import { TYPE_URL, adsServiceDefinition } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { afterEach, expect, it } from 'vitest';
import { endpointPush } from '../src/index';
import { SotwClient } from './support/ads-client';
import { type Harness, MutableSource, cla, edsCluster, node, snapshot, startAds } from './support/fixtures';

let h: Harness | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await h?.stop();
});

/** A ClusterLoadAssignment of a few hundred KB. */
function big(round: number) {
  const endpoints = Array.from({ length: 8000 }, (_, i) => ({ host: `10.${round % 250}.${(i >> 8) & 255}.${i & 255}`, port: 8000 + round }));
  return snapshot({ clusters: [edsCluster('big')], endpoints: [cla('big', endpoints)] });
}

/** An ADS client on raw HTTP/2 that sends one request and then never reads. */
function stalledClient(port: number, id: string): () => void {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  const method = adsServiceDefinition().service.StreamAggregatedResources;
  const stream = session.request({
    ':method': 'POST',
    ':path': method.path,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.on('error', () => {});
  stream.pause();
  const body = method.requestSerialize({ node: { id }, typeUrl: TYPE_URL.endpoint, resourceNames: ['big'] } as never);
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  stream.write(frame);
  return () => session.destroy();
}

it('closes a client that stops reading, coalesces its pushes meanwhile, and keeps serving the others', async () => {
  const source = new MutableSource(big(0));
  h = await startAds(source, { sendTimeoutMs: 1500, maxInFlightResponses: 2 });
  const fast = new SotwClient(h.port, node('fast'));
  cleanups.push(() => fast.close());
  fast.ack(await fast.request(TYPE_URL.endpoint, ['big']), ['big']);
  cleanups.push(stalledClient(h.port, 'slow'));
  await waitFor(() => h!.ads.statusOf('slow')[0]?.types.length, { timeoutMs: 3000, what: 'slow client connected' });

  const pushes = 6;
  for (let round = 1; round <= pushes; round++) {
    source.snapshot = big(round);
    const t0 = Date.now();
    h.ads.push(endpointPush(`round ${round}`));
    const res = await fast.next(2000);
    expect(Date.now() - t0).toBeLessThan(1000);
    fast.ack(res, ['big']);
  }
  const slow = h.ads.statusOf('slow')[0]!;
  expect(slow.queue.inFlightResponses).toBe(2);
  expect(slow.queue.blockedSince).toBeDefined();
  // Pushes to the blocked stream merged: it generated fewer snapshots than the fast one.
  const calls = (id: string) => source.calls.filter((c) => c.proxy === id).length;
  expect(calls('slow')).toBeLessThan(calls('fast'));

  await waitFor(() => h!.ads.statusOf('slow').length === 0, { timeoutMs: 4000, what: 'slow stream closed' });
  expect(h.ads.statusOf('fast')).toHaveLength(1);
  source.snapshot = big(99);
  h.ads.push(endpointPush('after'));
  expect((await fast.next(2000)).typeUrl).toBe(TYPE_URL.endpoint);
});
