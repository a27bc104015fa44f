// Upstream keep-alive with real sockets: idle connections stay open for the
// cluster's idle_timeout (1 h by default), so a sidecar pair over mTLS does
// not handshake again after a pause; an app that advertises
// `keep-alive: timeout=N` gets its connections closed before it would; and
// an app that closes idle connections without saying so (the keep-alive
// race: the close crosses the next request) fails no request, POSTs
// included, and sees each request once.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { keepAliveHintMs } from './http1-keepalive';
import { statEntries } from './proxy-stats';
import { FakeConfigSource, freePorts, hcm, listener, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';
import { createTestCa, inboundChains, issueLeaf, istioMutualSocket, meshSecrets, spiffe } from './tls-testing';

const SERVER_ID = spiffe('default', 'echo');

/** A keep-alive HTTP/1.1 server that closes connections idle for `idleMs` and never says so (no keep-alive header). */
async function startRacyApp(idleMs: number): Promise<{ port: number; seen: Map<string, number>; raced: number; connections: number; close(): Promise<void> }> {
  const state = { seen: new Map<string, number>(), raced: 0, connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    state.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let idleSince = Date.now();
    let timer = setTimeout(() => s.destroy(), idleMs);
    s.on('data', (chunk: Buffer) => {
      // Idle for the whole timeout (give or take the timer's lateness): it was closing already, the request is not read.
      if (buf.length === 0 && Date.now() - idleSince >= idleMs - 60) {
        state.raced++;
        s.destroy();
        return;
      }
      clearTimeout(timer);
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      buf = buf.subarray(end + 4 + length);
      const id = /\r\nx-echo-id: *([^\r]*)/i.exec(head)?.[1] ?? '';
      state.seen.set(id, (state.seen.get(id) ?? 0) + 1);
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${id.length}\r\n\r\n${id}`);
      idleSince = Date.now();
      timer = setTimeout(() => s.destroy(), idleMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    ...{ seen: state.seen },
    get raced() {
      return state.raced;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let racy: Awaited<ReturnType<typeof startRacyApp>>;
let hinted: http.Server;
let hintedConnections = 0;
let app: Upstream;
let client: Dataplane;
let server: Dataplane;
let P: { out: number; in: number };

beforeAll(async () => {
  racy = await startRacyApp(1_000);
  app = await startUpstream('app');
  hinted = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  hinted.keepAliveTimeout = 1_000;
  hinted.on('connection', () => hintedConnections++);
  await new Promise<void>((r) => hinted.listen(0, '127.0.0.1', r));
  const hintedPort = (hinted.address() as net.AddressInfo).port;
  const [a, b] = (await freePorts(2)) as [number, number];
  P = { out: a, in: b };
  const ca = createTestCa();
  server = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [SERVER_ID] })) });
  const inbound = hcm({ inline: routeConfig('in', [vhost(['*'], [route('/', { cluster: 'app' })])]) }, { statPrefix: 'inbound' });
  await server.apply(new FakeConfigSource().set('cluster', staticCluster('app', [app.port])).set('listener', listener('in', P.in, inboundChains(P.in, 'STRICT', [inbound], 'http'), { trafficDirection: 'INBOUND' })).snapshot());
  client = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'sleep')] })) });
  await client.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('racy', [racy.port]), staticCluster('hinted', [hintedPort]), staticCluster('mesh', [P.in], { transportSocket: istioMutualSocket('outbound_.80_._.echo.default.svc.cluster.local', [SERVER_ID], true) }))
      .set('route', routeConfig('out', [vhost(['*'], [route('/racy', { cluster: 'racy' }), route('/hinted', { cluster: 'hinted' }), route('/mesh', { cluster: 'mesh' })])]))
      .set('listener', listener('out', P.out, [{ filters: [hcm({ rds: 'out' })] }]))
      .snapshot(),
  );
});

afterAll(async () => {
  client.close();
  server.close();
  await Promise.all([racy.close(), app.close(), new Promise((r) => hinted.close(r))]);
});

const stat = (dp: Dataplane, name: string) => new Map(statEntries(dp)).get(name) ?? 0;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function post(path: string, id: string): Promise<number | string> {
  return new Promise((ok) => {
    const body = `body of ${id}`;
    const req = http.request({ host: '127.0.0.1', port: P.out, path, method: 'POST', agent: false, headers: { 'x-echo-id': id, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok(res.statusCode === 200 ? 200 : `${res.statusCode} ${text}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => ok(e.code ?? e.message));
    req.end(body);
  });
}

describe('keep-alive: timeout=N from the upstream', () => {
  it('parses the hint and keeps connections a little less long', () => {
    expect(keepAliveHintMs('timeout=5')).toBe(4_000);
    expect(keepAliveHintMs('timeout=5, max=1000')).toBe(4_000);
    expect(keepAliveHintMs('max=100, timeout=1')).toBe(500);
    expect(keepAliveHintMs('max=100')).toBe(0);
    expect(keepAliveHintMs(undefined)).toBe(0);
  });

  it('an app with a 1 s keep-alive timeout, requests every second: no failure, no retry needed', async () => {
    const failures: (number | string)[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await pause(1_000);
      const r = await post('/hinted', `hinted-${i}`);
      if (r !== 200) failures.push(r);
    }
    expect(failures).toEqual([]);
    expect(stat(client, 'cluster.hinted.upstream_rq_retry')).toBe(0);
    // Closed by the proxy before the app's timeout: one connection per request.
    expect(hintedConnections).toBe(3);
    expect(stat(client, 'cluster.hinted.upstream_cx_idle_timeout')).toBeGreaterThanOrEqual(2);
  });
});

describe('the keep-alive race with an app that closes idle connections after 1 s', () => {
  it('POSTs about a second apart: none fails, each reaches the app once', async () => {
    const failures: (number | string)[] = [];
    // Alternately just before and just after the app's timeout: the close either crosses the request or comes first.
    const gaps = [0, 980, 1_030, 970, 1_020, 990];
    for (const [i, gap] of gaps.entries()) {
      await pause(gap);
      const r = await post('/racy', `racy-${i}`);
      if (r !== 200) failures.push(r);
    }
    expect(failures).toEqual([]);
    expect([...racy.seen.values()]).toEqual(gaps.map(() => 1));
    // The race did happen, and every time it did the request went again on a new connection.
    expect(racy.raced).toBeGreaterThanOrEqual(1);
    expect(stat(client, 'cluster.racy.upstream_rq_retry')).toBe(racy.raced);
  });
});

describe('sidecar pair over mTLS at a low rate', () => {
  it('keeps its connection through a 4.5 s pause: one TLS handshake for all requests', async () => {
    const before = stat(client, 'ssl.upstream_handshake');
    const failures: (number | string)[] = [];
    for (const gap of [0, 1_000, 1_000, 4_500]) {
      await pause(gap);
      const r = await post('/mesh', `mesh-${gap}-${Date.now()}`);
      if (r !== 200) failures.push(r);
    }
    expect(failures).toEqual([]);
    expect(stat(client, 'ssl.upstream_handshake') - before).toBe(1);
    expect(stat(client, 'cluster.mesh.upstream_cx_total')).toBe(1);
  }, 15_000);
});
