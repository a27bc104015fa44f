// Cross-check over real mesh mTLS: Pilot's golden inbound listeners with
// their mTLS chains kept, a workload certificate served through SDS names,
// and sidecar-like clients presenting SPIFFE certificates of different
// identities. RBAC's `authenticated` principals (principals, namespaces,
// service accounts) then see the peer principal TLS termination verified;
// the proxy's status must equal the reference evaluator's for each identity
// and request. A client without a certificate is refused by STRICT chains.
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateSecurity, type ListenerObject } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { readGolden, runnableListener } from './security-testing';
import { FakeConfigSource, freePorts, startTcpEcho, staticCluster, startUpstream, testDataplane, type Upstream } from './testing';
import { createTestCa, issueLeaf, meshSecrets, spiffe, type TestCa, type TestLeaf } from './tls-testing';

const IDENTITIES: [string, string][] = [
  ['foo', 'sleep'],
  ['bar', 'sleep'],
  ['default', 'bookinfo-productpage'],
  ['istio-system', 'istio-ingressgateway-service-account'],
];
const GOLDENS = ['authz-conditions--bar.httpbin-0', 'authz-bookinfo--default.details-v1-0', 'authz-bookinfo--default.reviews-v1-0', 'authz-deny--foo.httpbin-0', 'authz-allow-nothing--default.productpage-v1-0'];
const REQUESTS = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/headers' },
  { method: 'GET', path: '/status/200' },
  { method: 'HEAD', path: '/status/200' },
  { method: 'POST', path: '/post' },
  { method: 'GET', path: '/ip', headers: { 'x-token': 'admin' } },
];
const ALPN = ['istio-http/1.1', 'http/1.1'];

let ca: TestCa;
let leaves: Map<string, TestLeaf>;
let dp: Dataplane;
let app: Upstream;
let tcpApp: { port: number; close(): Promise<void> };
let port: number;
let dst = { address: '127.0.0.1', port: 0 };

beforeAll(async () => {
  ca = createTestCa();
  leaves = new Map(IDENTITIES.map(([ns, sa]) => [spiffe(ns, sa), issueLeaf(ca, { uris: [spiffe(ns, sa)] })]));
  const server = issueLeaf(ca, { uris: [spiffe('foo', 'httpbin')] });
  [app, tcpApp] = await Promise.all([startUpstream('app'), startTcpEcho('tcp-app')]);
  [port] = (await freePorts(1)) as [number];
  dp = testDataplane({ originalDst: () => dst, secrets: meshSecrets(ca, server), sniffTimeoutMs: 500 });
});
afterAll(async () => {
  dp.close();
  await Promise.all([app.close(), tcpApp.close()]);
});

const TCP_ALPN = ['istio-peer-exchange', 'istio'];
const tcpSeen = new Set<boolean>();

/** An mTLS TCP connection: true when the echo comes back through the proxy, false when it is closed. */
function tcpCall(identity: string): Promise<boolean> {
  const leaf = leaves.get(identity)!;
  return new Promise((done) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, cert: leaf.certPem, key: leaf.keyPem, ALPNProtocols: TCP_ALPN, checkServerIdentity: () => undefined });
    let got = '';
    const finish = (v: boolean) => {
      clearTimeout(timer);
      s.destroy();
      done(v);
    };
    const timer = setTimeout(() => finish(false), 3_000);
    s.on('secureConnect', () => s.write('hello'));
    s.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.endsWith('hello')) finish(true);
    });
    s.on('error', () => finish(false));
    s.on('close', () => finish(got.endsWith('hello')));
  });
}

function call(identity: string | undefined, req: (typeof REQUESTS)[number]): Promise<number> {
  const leaf = identity ? leaves.get(identity) : undefined;
  // https passes TLS options (ALPN included) through to tls.connect.
  const options: https.RequestOptions & tls.ConnectionOptions = {
    host: '127.0.0.1',
    port,
    method: req.method,
    path: req.path,
    headers: { host: 'svc', ...(req.headers ?? {}) },
    agent: false,
    ca: ca.certPem,
    ...(leaf ? { cert: leaf.certPem, key: leaf.keyPem } : {}),
    ALPNProtocols: ALPN,
    checkServerIdentity: () => undefined,
  };
  return new Promise((done) => {
    const r = https.request(
      options,
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    r.on('error', () => done(0));
    r.end();
  });
}

describe('over mesh mTLS the proxy decides as the reference evaluator, per peer identity', () => {
  for (const name of GOLDENS) {
    it(name, async () => {
      const golden = readGolden(name);
      const l = golden.listeners.find((x) => x.name === 'virtualInbound')!;
      const runnable = runnableListener(l, port, true) as unknown as ListenerObject;
      await dp.apply(new FakeConfigSource().set('cluster', staticCluster('http-up', [app.port])).set('listener', runnable).snapshot());
      const httpPorts = [...new Set((l.filterChains ?? []).filter((c) => c.filters.some((f) => f.typedConfig['@type'].endsWith('HttpConnectionManager'))).map((c) => c.filterChainMatch?.destinationPort?.value))].filter((p): p is number => p !== undefined);
      const mismatches: string[] = [];
      const seen = new Set<number>();
      for (const p of httpPorts) {
        dst = { address: '127.0.0.1', port: p };
        for (const identity of [...leaves.keys(), undefined]) {
          for (const req of REQUESTS) {
            const conn = { port: p, transport: identity ? ('mtls' as const) : ('tls' as const), ...(identity ? { peerPrincipal: identity } : {}), alpn: ALPN, sourceIp: '127.0.0.1', destinationIp: '127.0.0.1' };
            const want = simulateSecurity(runnable, conn, { ...req, host: 'svc' });
            const expected = want.closed ? 0 : (want.status ?? 200);
            const got = await call(identity, req);
            seen.add(got);
            if (got !== expected) mismatches.push(`${identity ?? 'no cert'} ${req.method} ${req.path}: proxy ${got}, evaluator ${expected} (${want.reason})`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(seen.size).toBeGreaterThan(1);
    });
  }

  for (const name of ['authz-tcp-ports--foo.tcp-echo-0', 'authz-tcp-http-only-allow--foo.tcp-echo-0', 'authz-tcp-http-only-deny--foo.tcp-echo-0']) {
    it(`${name} (TCP)`, async () => {
      const l = readGolden(name).listeners.find((x) => x.name === 'virtualInbound')!;
      const runnable = runnableListener(l, port, true) as unknown as ListenerObject;
      await dp.apply(new FakeConfigSource().set('cluster', staticCluster('tcp-up', [tcpApp.port])).set('listener', runnable).snapshot());
      const mismatches: string[] = [];
      const seen = new Set<boolean>();
      for (const p of [9000, 9001]) {
        dst = { address: '127.0.0.1', port: p };
        for (const identity of leaves.keys()) {
          const want = simulateSecurity(runnable, { port: p, transport: 'mtls', peerPrincipal: identity, alpn: TCP_ALPN, sourceIp: '127.0.0.1', destinationIp: '127.0.0.1' });
          const got = await tcpCall(identity);
          seen.add(got);
          if (got === Boolean(want.closed)) mismatches.push(`${p} ${identity}: proxy ${got ? 'open' : 'closed'}, evaluator ${want.closed ? 'closed' : 'open'} (${want.reason})`);
        }
      }
      expect(mismatches).toEqual([]);
      for (const v of seen) tcpSeen.add(v);
    });
  }

  it('the TCP cases saw connections both proxied and closed', () => {
    expect([...tcpSeen].sort()).toEqual([false, true]);
  });

  it('Bookinfo details-viewer: only productpage\'s identity may GET details; others 403; no certificate: refused', async () => {
    const l = readGolden('authz-bookinfo--default.details-v1-0').listeners.find((x) => x.name === 'virtualInbound')!;
    await dp.apply(new FakeConfigSource().set('cluster', staticCluster('http-up', [app.port])).set('listener', runnableListener(l, port, true)).snapshot());
    dst = { address: '127.0.0.1', port: 9080 };
    expect(await call(spiffe('default', 'bookinfo-productpage'), REQUESTS[0]!)).toBe(200);
    expect(await call(spiffe('foo', 'sleep'), REQUESTS[0]!)).toBe(403);
    expect(await call(spiffe('default', 'bookinfo-productpage'), REQUESTS[4]!)).toBe(403);
    expect(await call(undefined, REQUESTS[0]!)).toBe(0);
  });
});
