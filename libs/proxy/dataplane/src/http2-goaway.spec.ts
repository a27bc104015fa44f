// The HTTP/2 upstream pool against an h2c app that sends GOAWAY while
// streams are in flight: a stream beyond the GOAWAY's last stream id was never
// processed, so the proxy sends it again on a new session (a POST too, with
// its body) and the app sees it once; a stream the app did accept (at or
// below the last stream id) finishes on the old session.
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@sextant/util';
import type { Dataplane } from './dataplane';
import { statEntries } from './proxy-stats';
import { FakeConfigSource, freePorts, hcm, HTTP_OPTIONS_TYPE, listener, route, routeConfig, staticCluster, testDataplane, vhost } from './testing';

const H2 = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS_TYPE, explicitHttpConfig: { http2ProtocolOptions: {} } } };
const { NGHTTP2_NO_ERROR, NGHTTP2_ENHANCE_YOUR_CALM } = http2.constants;

let app: http2.Http2Server;
let dp: Dataplane;
let port: number;
/** Request bodies the app answered, by x-echo-id. */
const answered = new Map<string, string[]>();
/** What the app does with the stream that opens a session: GOAWAY with this code, the stream left unanswered. */
let goawayCode: number | undefined;
let sessions = 0;
const arrived = new Set<string>();

beforeAll(async () => {
  app = http2.createServer();
  app.on('session', () => sessions++);
  app.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const id = String(headers['x-echo-id'] ?? '');
    arrived.add(id);
    const held = String(headers['x-hold'] ?? '') === '1';
    if (!held && goawayCode !== undefined && stream.session && stream.id !== undefined) {
      // The GOAWAY's last stream id is the stream before this one: this one is refused by the GOAWAY itself.
      const code = goawayCode;
      goawayCode = undefined;
      stream.session.goaway(code, stream.id - 2);
      return;
    }
    let body = '';
    stream.on('data', (c: Buffer) => (body += c.toString()));
    stream.on('end', () => {
      answered.set(id, [...(answered.get(id) ?? []), body]);
      setTimeout(() => {
        if (!stream.destroyed) stream.respond({ ':status': 200 }, { endStream: false });
        stream.end(`answered ${id}`);
      }, held ? 150 : 0);
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appPort = (app.address() as net.AddressInfo).port;
  [port] = (await freePorts(1)) as [number];
  dp = testDataplane();
  await dp.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('h2app', [appPort], { typedExtensionProtocolOptions: H2 }))
      .set('listener', listener('out', port, [{ filters: [hcm({ inline: routeConfig('r', [vhost(['*'], [route('/', { cluster: 'h2app' })])]) })] }]))
      .snapshot(),
  );
});

afterAll(async () => {
  dp.close();
  await new Promise((r) => app.close(r));
});

function post(id: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const body = `payload of ${id}`;
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false, headers: { 'x-echo-id': id, 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const stat = (name: string) => new Map(statEntries(dp)).get(name) ?? 0;

describe('GOAWAY from an HTTP/2 upstream', () => {
  for (const [what, code] of [
    ['graceful (NO_ERROR)', NGHTTP2_NO_ERROR],
    ['with an error code (ENHANCE_YOUR_CALM)', NGHTTP2_ENHANCE_YOUR_CALM],
  ] as const) {
    it(`${what}: a POST beyond the last stream id goes again on a new session, body and all, and runs once`, async () => {
      // A held stream keeps the first session busy (so the pool has one to reuse), then the GOAWAY hits the next stream.
      const held = post(`held-${code}`, { 'x-hold': '1' });
      await waitFor(() => arrived.has(`held-${code}`), { timeoutMs: 5_000, intervalMs: 5, what: 'the held stream at the app' });
      const sessionsBefore = sessions;
      const retriesBefore = stat('cluster.h2app.upstream_rq_retry');
      goawayCode = code;
      const res = await post(`refused-${code}`);
      expect(res).toEqual({ status: 200, body: `answered refused-${code}` });
      expect(answered.get(`refused-${code}`)).toEqual([`payload of refused-${code}`]);
      expect(stat('cluster.h2app.upstream_rq_retry')).toBe(retriesBefore + 1);
      expect(sessions).toBe(sessionsBefore + 1);
      // The stream the app had accepted before its GOAWAY finishes on a graceful GOAWAY; an error GOAWAY tears the session
      // down, and that POST (it may have run) is not sent again.
      const h = await held;
      if (code === NGHTTP2_NO_ERROR) expect(h).toEqual({ status: 200, body: `answered held-${code}` });
      else expect(h.status).toBe(503);
      expect(answered.get(`held-${code}`)?.length ?? 0).toBeLessThanOrEqual(1);
    });
  }
});
