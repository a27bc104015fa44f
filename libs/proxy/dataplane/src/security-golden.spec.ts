// Cross-check: Pilot's golden security output (Istio's tasks translated by
// the real translation + security hooks) loaded into a real proxy, and for
// each scenario a battery of plaintext requests (methods, paths, headers,
// valid / forged / foreign JWTs) or TCP connections through real sockets.
// The proxy's outcome must equal the reference evaluator's
// (`simulateSecurity` from @sextant/policy) for every one of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateSecurity, type ListenerObject, type SecurityRequest, type TestJwt } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { readdirSync } from 'node:fs';
import { GOLDEN_DIR, httpStatus, readGolden, rsaSigner, runnableListener, startJwksServer, tcpReaches, type Signer } from './security-testing';
import { FakeConfigSource, freePorts, staticCluster, startTcpEcho, startUpstream, testDataplane, type Upstream } from './testing';

const ISS = 'testing@secure.istio.io';

interface Scenario {
  golden: string;
  listener: string;
}

/** Every listener of every golden scenario (sidecar virtualInbound and gateway listeners). */
const SCENARIOS: Scenario[] = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => readGolden(f.slice(0, -5)).listeners.map((l) => ({ golden: f.slice(0, -5), listener: l.name })));

/** Destination ports to exercise: every port a chain matches plus an undeclared one (the catch-all); gateways: their own port. */
function portsOf(l: ListenerObject & Record<string, unknown>): number[] {
  const capture = (l['useOriginalDst'] as { value?: boolean } | undefined)?.value || ((l['listenerFilters'] ?? []) as { name?: string }[]).some((f) => f.name?.endsWith('.original_dst'));
  if (!capture) return [Number((l['address'] as { socketAddress: { portValue: number } }).socketAddress.portValue)];
  const ports = new Set((l.filterChains ?? []).map((c) => c.filterChainMatch?.destinationPort?.value).filter((p): p is number => p !== undefined));
  return [...[...ports].sort((a, b) => a - b), 7777];
}

type Req = SecurityRequest & { token?: 'valid' | 'forged' | 'foreign' | 'expired' };

const token = (kind: NonNullable<Req['token']>, claims: Record<string, unknown> = {}): Req => ({ token: kind, jwt: jwtOf(kind, claims) });
function jwtOf(kind: NonNullable<Req['token']>, claims: Record<string, unknown>): TestJwt {
  return { issuer: kind === 'foreign' ? 'someone@else' : ISS, claims: { sub: ISS, ...claims }, valid: kind === 'valid' || kind === 'foreign' };
}

const REQUESTS: Req[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/productpage' },
  { method: 'GET', path: '/headers' },
  { method: 'POST', path: '/post' },
  { method: 'GET', path: '/ip' },
  { method: 'GET', path: '/admin/x' },
  { method: 'GET', path: '/status/200', headers: { 'x-token': 'admin' } },
  { method: 'GET', path: '/status/200', headers: { 'x-token': 'guest' } },
  { method: 'DELETE', path: '/anything', headers: { 'x-forwarded-for': '10.0.0.1' } },
  { method: 'GET', path: '/headers', ...token('valid') },
  { method: 'GET', path: '/headers', ...token('valid', { groups: ['group1'] }) },
  { method: 'GET', path: '/headers', ...token('valid', { groups: 'group1' }) },
  { method: 'GET', path: '/headers', ...token('forged', { groups: ['group1'] }) },
  { method: 'GET', path: '/headers', ...token('foreign', { groups: ['group1'] }) },
  { method: 'GET', path: '/headers', ...token('expired', { groups: ['group1'] }) },
];

let dp: Dataplane;
let signer: Signer;
let forger: Signer;
let httpUp: Upstream;
let tcpUp: { port: number; close(): Promise<void> };
let jwks: Awaited<ReturnType<typeof startJwksServer>>;
let port: number;
let dst = { address: '127.0.0.1', port: 0 };
/** Every outcome observed, so the suite cannot pass by seeing one kind only. */
const seen = new Set<string>();

beforeAll(async () => {
  [signer, forger] = await Promise.all([rsaSigner('k1'), rsaSigner('k1')]);
  [httpUp, tcpUp, jwks] = await Promise.all([startUpstream('app'), startTcpEcho('tcp-app'), startJwksServer([signer.jwk])]);
  [port] = (await freePorts(1)) as [number];
  dp = testDataplane({ originalDst: () => dst, sniffTimeoutMs: 300 });
});
afterAll(async () => {
  dp.close();
  await Promise.all([httpUp.close(), tcpUp.close(), jwks.close()]);
});

async function load(s: Scenario): Promise<ListenerObject & Record<string, unknown>> {
  const golden = readGolden(s.golden);
  const l = golden.listeners.find((x) => x.name === s.listener);
  if (!l) throw new Error(`${s.golden}: no listener ${s.listener}`);
  const runnable = runnableListener(l, port);
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('http-up', [httpUp.port]), staticCluster('tcp-up', [tcpUp.port]), staticCluster('jwks', [jwks.port]))
    .set('listener', runnable);
  await dp.apply(src.snapshot());
  return runnable as unknown as ListenerObject & Record<string, unknown>;
}

async function bearer(r: Req): Promise<Record<string, string>> {
  if (!r.token || !r.jwt) return {};
  const claims = { iss: r.jwt.issuer, ...r.jwt.claims };
  const t = r.token === 'forged' ? await forger.sign(claims) : r.token === 'expired' ? await signer.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }) : await signer.sign(claims);
  return { authorization: `Bearer ${t}` };
}

describe('the proxy decides exactly as the reference evaluator on Pilot golden output', () => {
  for (const s of SCENARIOS) {
    it(`${s.golden}: ${s.listener}`, async () => {
      const l = await load(s);
      const rows: string[] = [];
      const mismatches: string[] = [];
      for (const p of portsOf(l)) {
        dst = { address: '127.0.0.1', port: p };
        const conn = { port: p, transport: 'plaintext' as const, sourceIp: '127.0.0.1', destinationIp: '127.0.0.1' };
        const chain = (l.filterChains ?? []).find((c) => c.name === simulateSecurity(l, conn, {}).chain);
        const http = chain?.filters.some((f) => f.typedConfig['@type'].endsWith('HttpConnectionManager')) ?? false;
        if (!http) {
          const want = simulateSecurity(l, conn);
          const got = (await tcpReaches(port)) ? 'open' : 'closed';
          const expected = want.closed ? 'closed' : 'open';
          rows.push(`${p} tcp ${got}`);
          seen.add(`tcp ${got}`);
          if (got !== expected) mismatches.push(`port ${p}: proxy ${got}, evaluator ${expected} (${want.reason})`);
          continue;
        }
        for (const r of REQUESTS) {
          const want = simulateSecurity(l, conn, { ...r, host: 'svc' });
          const expected = want.closed ? 0 : (want.status ?? 200);
          const got = await httpStatus(port, { method: r.method!, path: r.path!, headers: { host: 'svc', ...(r.headers ?? {}), ...(await bearer(r)) } });
          rows.push(`${p} ${r.method} ${r.path} ${r.token ?? ''} ${got.status}`);
          seen.add(`http ${got.status}`);
          if (got.status !== expected) mismatches.push(`port ${p} ${r.method} ${r.path} token=${r.token ?? '-'} ${JSON.stringify(r.headers ?? {})}: proxy ${got.status} ${got.body}, evaluator ${expected} (${want.reason})`);
          else if (expected === 403) expect(got.body).toBe('RBAC: access denied');
          else if (expected === 401) expect(got.body).toBe(want.body);
        }
      }
      expect(mismatches).toEqual([]);
      expect(rows.length).toBeGreaterThan(0);
    });
  }

  it('the battery saw every kind of outcome (HTTP 200, 401, 403; TCP proxied and closed)', () => {
    expect([...seen].sort()).toEqual(['http 200', 'http 401', 'http 403', 'tcp closed', 'tcp open']);
  });

  it('the remote JWKS was fetched once through its cluster and then served from the cache', () => {
    expect(jwks.fetches()).toBe(1);
  });
});
