// Listener updates and established connections, through a real proxy with
// real sockets: connections on a filter chain that an update changed
// (RBAC added, PERMISSIVE -> STRICT) drain the way Envoy drains them (HTTP/1
// `connection: close` on the next response, idle ones closed after the
// drain timeout, HTTP/2 GOAWAY, TCP closed after the drain period), the
// in-flight request finishes, and updates that leave the chain as it was
// (routes, clusters) drain nothing. Also: per-chain connection counters and
// Istio's connection_security_policy for requests over mTLS.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_TYPED } from '@sextant/policy';
import { waitFor } from '@sextant/util';
import type { Dataplane } from './dataplane';
import { statEntries } from './proxy-stats';
import { FakeConfigSource, freePorts, hcm, listener, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, type Upstream } from './testing';
import { createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, type TestCa, type TestLeaf } from './tls-testing';

const DENY_ALL = { name: 'envoy.filters.http.rbac', typedConfig: { '@type': SECURITY_TYPED.httpRbac, rules: { action: 'ALLOW', policies: {} } } };
const DRAIN = { drainTimeout: { nanos: 300_000_000 } };
const CLIENT_ID = spiffe('default', 'sleep');

let dp: Dataplane;
let app: Upstream;
let other: Upstream;
let tcpApp: { port: number; close(): Promise<void> };
let ca: TestCa;
let client: TestLeaf;
let P: { http: number; rds: number; tcp: number; mesh: number; meshTcp: number };
const src = new FakeConfigSource();

const inlineRoutes = (cluster = 'app') => ({ inline: routeConfig('inline', [vhost(['*'], [route('/', { cluster })])]) });
const httpListener = (filters: object[] = []) => listener('http', P.http, [{ filters: [hcm(inlineRoutes(), { filters, statPrefix: 'drain_http', extra: DRAIN })] }]);
const meshListener = (mode: 'STRICT' | 'PERMISSIVE') => listener('mesh', P.mesh, inboundChains(P.mesh, mode, [hcm(inlineRoutes(), { statPrefix: 'inbound_mesh', extra: DRAIN })], 'http'), { trafficDirection: 'INBOUND' });

async function push(): Promise<void> {
  await dp.apply(src.snapshot());
}

interface Answer {
  status: number;
  connection: string;
  localPort: number;
  body: string;
}

function get(port: number, agent: http.Agent, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      const localPort = res.socket.localPort ?? 0;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, connection: String(res.headers.connection ?? ''), localPort, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
  });
}

const stat = (name: string) => new Map(statEntries(dp)).get(name) ?? 0;

beforeAll(async () => {
  [app, other, tcpApp] = await Promise.all([startUpstream('app'), startUpstream('other'), startTcpEcho('tcp-app')]);
  const [a, b, c, d, e] = (await freePorts(5)) as [number, number, number, number, number];
  P = { http: a, rds: b, tcp: c, mesh: d, meshTcp: e };
  ca = createTestCa();
  client = issueLeaf(ca, { uris: [CLIENT_ID] });
  dp = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'echo')] })), filterChainDrainMs: 800 });
  src
    .set('cluster', staticCluster('app', [app.port]), staticCluster('other', [other.port]), staticCluster('tcp', [tcpApp.port]))
    .set('route', routeConfig('rds', [vhost(['*'], [route('/', { cluster: 'app' })])]))
    .set('listener', httpListener(), listener('rds', P.rds, [{ filters: [hcm({ rds: 'rds' }, { statPrefix: 'drain_rds', extra: DRAIN })] }]), listener('tcp', P.tcp, [{ filters: [tcpProxy('tcp')] }]), meshListener('PERMISSIVE'), listener('meshtcp', P.meshTcp, inboundChains(P.meshTcp, 'STRICT', [tcpProxy('tcp')], 'tcp'), { trafficDirection: 'INBOUND' }));
  await push();
});

afterAll(async () => {
  dp.close();
  await Promise.all([app.close(), other.close(), tcpApp.close()]);
});

describe('HTTP/1.1 keep-alive connections on a changed chain', () => {
  it('an idle keep-alive connection closes at once: no request runs on the old chain; a new connection meets the new policy', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(P.http, agent);
    expect(first).toMatchObject({ status: 200, connection: '' });
    src.set('listener', httpListener([DENY_ALL]));
    await push();
    await new Promise((r) => setTimeout(r, 100));
    const second = await get(P.http, agent);
    expect(second.status).toBe(403);
    expect(second.localPort).not.toBe(first.localPort);
    agent.destroy();
    src.set('listener', httpListener());
    await push();
  });

  it('an idle connection is closed as soon as the drain begins', async () => {
    const s = net.connect(P.http, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => s.once('data', r));
    const closed = new Promise<number>((r) => s.once('close', () => r(Date.now())));
    s.on('error', () => undefined);
    const at = Date.now();
    src.set('listener', httpListener([DENY_ALL]));
    await push();
    const when = await closed;
    // At once: well before drain_timeout (300 ms) and the 800 ms drain period.
    expect(when - at).toBeLessThan(250);
    src.set('listener', httpListener());
    await push();
  });

  it('an in-flight request is not cut: it completes with connection: close', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const pending = get(P.http, agent, { 'x-echo-delay-ms': '400' });
    await new Promise((r) => setTimeout(r, 100));
    src.set('listener', httpListener([DENY_ALL]));
    await push();
    expect(await pending).toMatchObject({ status: 200, connection: 'close' });
    expect((await get(P.http, agent)).status).toBe(403);
    agent.destroy();
    src.set('listener', httpListener());
    await push();
  });

  it('counts the chain\'s connections (http.<prefix>.downstream_cx_total/active)', async () => {
    const before = stat('http.drain_http.downstream_cx_total');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(P.http, agent);
    expect(stat('http.drain_http.downstream_cx_total')).toBe(before + 1);
    expect(stat('http.drain_http.downstream_cx_active')).toBeGreaterThanOrEqual(1);
    agent.destroy();
  });
});

describe('updates that leave the chain unchanged', () => {
  it('a route and cluster update drains nothing: the same connection serves the new route', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(P.rds, agent);
    expect(JSON.parse(first.body).name).toBe('app');
    const drained = dp.listeners.chains.drained;
    src.set('route', routeConfig('rds', [vhost(['*'], [route('/', { cluster: 'other' })])])).set('cluster', staticCluster('app', [app.port], { connectTimeout: { seconds: 2 } }));
    // The listener resource is sent again as well (what Pilot does on a push).
    src.set('listener', listener('rds', P.rds, [{ filters: [hcm({ rds: 'rds' }, { statPrefix: 'drain_rds', extra: DRAIN })] }]));
    await push();
    await new Promise((r) => setTimeout(r, 500));
    const second = await get(P.rds, agent);
    expect(second).toMatchObject({ status: 200, connection: '', localPort: first.localPort });
    expect(JSON.parse(second.body).name).toBe('other');
    expect(dp.listeners.chains.drained).toBe(drained);
    agent.destroy();
  });
});

describe('HTTP/2 and TCP on a changed chain', () => {
  it('HTTP/2: GOAWAY, and the next session meets the new policy', async () => {
    const session = http2.connect(`http://127.0.0.1:${P.http}`);
    session.on('error', () => undefined);
    const status = (s: http2.ClientHttp2Session) =>
      new Promise<number>((ok, fail) => {
        const r = s.request({ ':path': '/' });
        r.on('response', (h) => ok(Number(h[':status'])));
        r.on('error', fail);
        r.resume();
      });
    expect(await status(session)).toBe(200);
    const goaway = new Promise((r) => session.once('goaway', r));
    src.set('listener', httpListener([DENY_ALL]));
    await push();
    await goaway;
    const next = http2.connect(`http://127.0.0.1:${P.http}`);
    expect(await status(next)).toBe(403);
    next.close();
    session.destroy();
    src.set('listener', httpListener());
    await push();
  });

  it('TCP: closed once the drain period ends; an unchanged chain keeps its connection', async () => {
    const open = async () => {
      const s = net.connect(P.tcp, '127.0.0.1');
      s.on('error', () => undefined);
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.write('ping');
      await waitFor(() => got.includes('ping'), { timeoutMs: 3_000, intervalMs: 20, what: 'the TCP echo' });
      return s;
    };
    const kept = await open();
    src.set('listener', listener('tcp', P.tcp, [{ filters: [tcpProxy('tcp')] }]));
    await push();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(kept.destroyed || kept.readableEnded).toBe(false);
    const closed = new Promise((r) => kept.once('close', r));
    src.set('listener', listener('tcp', P.tcp, [{ filters: [tcpProxy('tcp', { idleTimeout: { seconds: 30 } })] }]));
    await push();
    await closed;
  });
});

describe('mesh mTLS (PERMISSIVE -> STRICT)', () => {
  function mtlsGet(): Promise<number> {
    return new Promise((ok, fail) => {
      const s = tls.connect({ host: '127.0.0.1', port: P.mesh, ca: ca.certPem, cert: client.certPem, key: client.keyPem, ALPNProtocols: ['istio-http/1.1', 'http/1.1'], checkServerIdentity: () => undefined });
      let got = '';
      s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.on('close', () => ok(Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0)));
      s.on('error', fail);
    });
  }

  it('reports mutual_tls for requests over mTLS and none for plaintext; STRICT drains the plaintext keep-alive connection', async () => {
    expect(await mtlsGet()).toBe(200);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(P.mesh, agent)).status).toBe(200);
    const text = dp.metrics.render();
    const series = text.split('\n').filter((l) => l.startsWith('istio_requests_total{') && l.includes('reporter="destination"'));
    expect(series.some((l) => l.includes('connection_security_policy="mutual_tls"'))).toBe(true);
    expect(series.some((l) => l.includes('connection_security_policy="none"'))).toBe(true);
    // The mTLS chain and the plaintext chain share the stat prefix: their connections add up.
    expect(stat('http.inbound_mesh.downstream_cx_total')).toBeGreaterThanOrEqual(2);
    expect(dp.listeners.chains.count('mesh')).toBe(1);
    const drained = dp.listeners.chains.drained;
    src.set('listener', meshListener('STRICT'));
    await push();
    expect(dp.listeners.chains.drained).toBe(drained + 1);
    // Served once more with connection: close, then plaintext is refused.
    const last = await get(P.mesh, agent).catch((e: Error) => e);
    if (!(last instanceof Error)) expect(last.connection).toBe('close');
    await expect(get(P.mesh, agent)).rejects.toThrow();
    expect(await mtlsGet()).toBe(200);
    agent.destroy();
  });

  it('TCP over mTLS is reported as mutual_tls by the destination reporter', async () => {
    await new Promise<void>((done, fail) => {
      const s = tls.connect({ host: '127.0.0.1', port: P.meshTcp, ca: ca.certPem, cert: client.certPem, key: client.keyPem, ALPNProtocols: ['istio-peer-exchange', 'istio'], checkServerIdentity: () => undefined });
      let got = '';
      s.on('secureConnect', () => s.write('ping'));
      s.on('data', (c: Buffer) => {
        got += c.toString();
        if (got.includes('ping')) s.end();
      });
      s.on('close', () => (got.includes('ping') ? done() : fail(new Error(`no echo: ${got}`))));
      s.on('error', fail);
    });
    await waitFor(() => /istio_tcp_connections_closed_total\{reporter="destination"[^}]*connection_security_policy="mutual_tls"[^}]*\} 1/.test(dp.metrics.render()), { timeoutMs: 3_000, intervalMs: 20, what: 'a mutual_tls TCP series' });
  });
});
