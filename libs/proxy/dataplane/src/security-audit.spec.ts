// AuthorizationPolicy action AUDIT on a real proxy: Pilot turns it into an
// RBAC filter with action LOG (envoy.filters.http.rbac.audit); a request it
// matches is marked the way Envoy marks it (access_log_hint) and its access
// log line names the RBAC policy, requests it does not match carry neither
// field, and allow/deny outcomes are exactly those without the filter.
// First on Pilot's golden output for the audit scenario (the same battery
// as the reference evaluator, which says which requests are audited), then
// an AUDIT policy overlapping a DENY one (audited and denied), and the
// network RBAC filter (TCP) with action LOG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_TYPED, simulateSecurity, type ListenerObject } from '@sextant/policy';
import type { Dataplane } from './dataplane';
import { statsText } from './proxy-stats';
import { httpStatus, readGolden, runnableListener, tcpReaches } from './security-testing';
import { FakeConfigSource, freePorts, hcm, listener, route, routeConfig, startTcpEcho, startUpstream, staticCluster, tcpProxy, testDataplane, vhost, type Upstream } from './testing';

type Obj = Record<string, unknown>;
const GOLDEN = 'authz-custom-audit-dryrun--bar.httpbin-0';
const AUDIT_FILTER = 'envoy.filters.http.rbac.audit';
const REQUESTS: { method: string; path: string }[] = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/admin/' },
  { method: 'GET', path: '/admin/users' },
  { method: 'POST', path: '/admin/users' },
  { method: 'GET', path: '/administrator' },
  { method: 'GET', path: '/headers' },
  { method: 'POST', path: '/post' },
  { method: 'GET', path: '/public/admin/x' },
];

let dp: Dataplane;
let up: Upstream;
let echo: { port: number; close(): Promise<void> };
let tcpPorts: { audited: number; other: number; denied: number };
let goldenPort: number;
let strippedPort: number;
let overlapPort: number;
const dst = { address: '127.0.0.1', port: 8080 };
const lines: Obj[] = [];
let golden: ListenerObject & Obj;
let seq = 0;

/** The golden virtualInbound with its HCMs' audit filter removed (what the outcome must not differ from). */
function withoutAudit(l: Obj): Obj {
  const chains = (l['filterChains'] as Obj[]).map((c) => ({
    ...c,
    filters: (c['filters'] as Obj[]).map((f) => {
      const tc = f['typedConfig'] as Obj;
      const filters = tc['httpFilters'] as Obj[] | undefined;
      return filters ? { ...f, typedConfig: { ...tc, httpFilters: filters.filter((h) => h['name'] !== AUDIT_FILTER) } } : f;
    }),
  }));
  return { ...l, name: `${String(l['name'])}-no-audit`, filterChains: chains };
}

const rbac = (name: string, action: string, policies: Obj) => ({ name, typedConfig: { '@type': SECURITY_TYPED.httpRbac, rules: { action, policies } } });
const prefix = (p: string) => ({ urlPath: { path: { prefix: p } } });
const netRbac = (action: string, policy: string, permission: object) => ({
  name: `envoy.filters.network.rbac.${action === 'LOG' ? 'audit' : action.toLowerCase()}`,
  typedConfig: { '@type': SECURITY_TYPED.networkRbac, statPrefix: 'tcp.', rules: { action, policies: { [policy]: { permissions: [permission], principals: [{ any: true }] } } } },
});

beforeAll(async () => {
  [up, echo] = await Promise.all([startUpstream('httpbin'), startTcpEcho('tcp-echo')]);
  let audited: number, other: number, denied: number;
  [goldenPort, strippedPort, overlapPort, audited, other, denied] = (await freePorts(6)) as [number, number, number, number, number, number];
  tcpPorts = { audited, other, denied };
  // TCP: the audit policy names the audited listener's port, so it matches there and nowhere else.
  const tcpAudit = netRbac('LOG', 'ns[foo]-policy[audit-tcp]-rule[0]', { destinationPort: audited });
  const tcpListeners = [
    listener('tcp-audited', audited, [{ filters: [tcpAudit, tcpProxy('echo')] }]),
    listener('tcp-other', other, [{ filters: [tcpAudit, tcpProxy('echo')] }]),
    listener('tcp-denied', denied, [{ filters: [netRbac('LOG', 'ns[foo]-policy[audit-all]-rule[0]', { any: true }), netRbac('DENY', 'ns[foo]-policy[deny-all]-rule[0]', { any: true }), tcpProxy('echo')] }]),
  ];
  const g = readGolden(GOLDEN).listeners.find((l) => l.name === 'virtualInbound');
  if (!g) throw new Error(`${GOLDEN}: no virtualInbound listener`);
  golden = g;
  const runnable = runnableListener(g, goldenPort) as Obj;
  const stripped = { ...withoutAudit(runnable), address: { socketAddress: { address: '127.0.0.1', portValue: strippedPort } } };
  const overlap = listener('overlap', overlapPort, [
    {
      filters: [
        hcm({ rds: 'r' }, {
          statPrefix: 'inbound_9090',
          filters: [
            rbac(AUDIT_FILTER, 'LOG', { 'ns[foo]-policy[audit-admin]-rule[0]': { permissions: [prefix('/admin/')], principals: [{ any: true }] } }),
            rbac('envoy.filters.http.rbac.deny', 'DENY', { 'ns[foo]-policy[deny-secret]-rule[0]': { permissions: [prefix('/admin/secret')], principals: [{ any: true }] } }),
          ],
        }),
      ],
    },
  ]);
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('http-up', [up.port]), staticCluster('app', [up.port]), staticCluster('echo', [echo.port]))
    .set('route', routeConfig('r', [vhost(['*'], [route('/', { cluster: 'app' })])]))
    .set('listener', runnable, stripped, overlap, ...tcpListeners);
  dp = testDataplane({ originalDst: () => dst, accessLog: { mode: 'on', logger: { info: (o: Obj) => lines.push(o) } as never } });
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await Promise.all([up.close(), echo.close()]);
});

/** One request with its own x-request-id; its status and its access log line. */
async function send(port: number, r: { method: string; path: string }): Promise<{ status: number; log: Obj }> {
  const id = `audit-${process.pid}-${++seq}`;
  const res = await httpStatus(port, { method: r.method, path: r.path, headers: { host: 'httpbin.bar', 'x-request-id': id } });
  let log: Obj | undefined;
  for (let i = 0; i < 50 && !log; i++) {
    await new Promise((ok) => setTimeout(ok, 10));
    log = lines.find((l) => l['request_id'] === id);
  }
  if (!log) throw new Error(`no access log line for ${r.method} ${r.path}`);
  return { status: res.status, log };
}

const statValue = (name: string) => Number(new RegExp(`^${name.replace(/[.[\]]/g, '\\$&')}: (\\d+)$`, 'm').exec(statsText(dp))?.[1] ?? 0);

describe('AUDIT (RBAC action LOG) in the access log', () => {
  it("marks exactly the requests Pilot's audit policy matches, as the reference evaluator says, and changes no decision", async () => {
    const conn = { port: 8080, transport: 'plaintext' as const, sourceIp: '127.0.0.1', destinationIp: '127.0.0.1' };
    const rows: string[] = [];
    for (const r of REQUESTS) {
      const want = simulateSecurity(golden, conn, { ...r, host: 'httpbin.bar' });
      const audited = await send(goldenPort, r);
      const plain = await send(strippedPort, r);
      const expected = want.logged.length > 0 ? want.logged.join(',') : undefined;
      rows.push(`${r.method} ${r.path} ${audited.status} ${String(audited.log['audit_policy'])}`);
      expect(audited.log['audit_policy'], `${r.method} ${r.path}`).toBe(expected);
      expect(audited.log['access_log_hint'], `${r.method} ${r.path}`).toBe(expected === undefined ? undefined : true);
      // Allow/deny and the details are what they are without the audit filter.
      expect(audited.status, `${r.method} ${r.path}`).toBe(plain.status);
      expect(audited.log['response_code_details']).toBe(plain.log['response_code_details']);
      expect(plain.log['audit_policy']).toBeUndefined();
    }
    // The battery saw audited and unaudited requests, allowed and denied ones.
    expect(rows.filter((r) => r.endsWith('ns[bar]-policy[audit-admin]-rule[0]')).length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.endsWith('undefined')).length).toBeGreaterThanOrEqual(3);
    expect(rows.some((r) => r.includes(' 403 '))).toBe(true);
    expect(rows.some((r) => r.includes(' 200 '))).toBe(true);
  });

  it('an audited request that a later DENY policy stops is logged as audited and denied; counters count both', async () => {
    const before = { logged: statValue('http.inbound_9090.rbac.logged'), notLogged: statValue('http.inbound_9090.rbac.not_logged'), audited: statValue('server.access_log_audited') };
    const denied = await send(overlapPort, { method: 'GET', path: '/admin/secret' });
    expect(denied.status).toBe(403);
    expect(denied.log).toMatchObject({ response_code: 403, response_flags: 'RBAC', response_code_details: 'rbac_access_denied_matched_policy[ns[foo]-policy[deny-secret]-rule[0]]', access_log_hint: true, audit_policy: 'ns[foo]-policy[audit-admin]-rule[0]' });
    const allowed = await send(overlapPort, { method: 'GET', path: '/admin/ok' });
    expect(allowed.status).toBe(200);
    expect(allowed.log).toMatchObject({ response_code: 200, audit_policy: 'ns[foo]-policy[audit-admin]-rule[0]' });
    const other = await send(overlapPort, { method: 'GET', path: '/other' });
    expect(other.status).toBe(200);
    expect(other.log).not.toHaveProperty('audit_policy');
    expect(other.log).not.toHaveProperty('access_log_hint');
    // Envoy's RBAC LOG counters and the access log's count of audited lines.
    expect(statValue('http.inbound_9090.rbac.logged')).toBe(before.logged + 2);
    expect(statValue('http.inbound_9090.rbac.not_logged')).toBe(before.notLogged + 1);
    expect(statValue('server.access_log_audited')).toBe(before.audited + 2);
  });

  it('a keep-alive connection does not carry the mark over to the next request', async () => {
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ids = [`ka-${process.pid}-1`, `ka-${process.pid}-2`];
    for (const [i, path] of ['/admin/x', '/plain'].entries()) {
      await new Promise<void>((ok, fail) => {
        http.get({ host: '127.0.0.1', port: overlapPort, path, agent, headers: { 'x-request-id': ids[i]! } }, (res) => res.resume().on('end', ok)).on('error', fail);
      });
    }
    agent.destroy();
    await new Promise((ok) => setTimeout(ok, 50));
    const [first, second] = ids.map((id) => lines.find((l) => l['request_id'] === id));
    expect(first?.['audit_policy']).toBe('ns[foo]-policy[audit-admin]-rule[0]');
    expect(second).toBeDefined();
    expect(second).not.toHaveProperty('audit_policy');
  });
});

describe('AUDIT on TCP (network RBAC action LOG)', () => {
  const tcpLog = (port: number) => waitForLine((l) => l['protocol'] === 'TCP' && l['downstream_local_address'] === `127.0.0.1:${port}`);
  async function waitForLine(match: (l: Obj) => boolean): Promise<Obj> {
    for (let i = 0; i < 100; i++) {
      const l = lines.find(match);
      if (l) return l;
      await new Promise((ok) => setTimeout(ok, 10));
    }
    throw new Error('no TCP access log line');
  }

  it('marks the connections the policy matches, proxies them as before, and a later DENY still closes', async () => {
    expect(await tcpReaches(tcpPorts.audited)).toBe(true);
    expect(await tcpReaches(tcpPorts.other)).toBe(true);
    expect(await tcpReaches(tcpPorts.denied)).toBe(false);
    expect(await tcpLog(tcpPorts.audited)).toMatchObject({ access_log_hint: true, audit_policy: 'ns[foo]-policy[audit-tcp]-rule[0]', response_flags: '-' });
    const other = await tcpLog(tcpPorts.other);
    expect(other).not.toHaveProperty('audit_policy');
    expect(other).not.toHaveProperty('access_log_hint');
    expect(await tcpLog(tcpPorts.denied)).toMatchObject({ access_log_hint: true, audit_policy: 'ns[foo]-policy[audit-all]-rule[0]', response_flags: 'RBAC' });
    expect(statValue('tcp.rbac.logged')).toBeGreaterThanOrEqual(2);
    expect(statValue('tcp.rbac.not_logged')).toBeGreaterThanOrEqual(1);
  });
});
