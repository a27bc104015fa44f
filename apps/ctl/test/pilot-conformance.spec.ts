// Pilot conformance, end to end, part 1: what a proxyless gRPC client
// (@grpc/grpc-js-xds) does with the config Pilot gives it: traffic splits,
// header routing, faults, timeouts, retries, consistent hashing, outlier
// ejection, route changes under load. The mesh and the client helpers are in
// support/pilot-conformance.ts; part 2 (change and failure) is
// pilot-resilience.spec.ts. One mesh is shared by every test (in this order).
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@sextant/util';
import {
  apply,
  applyAsync,
  both,
  call,
  calls,
  cli,
  count,
  DEFAULT_ROUTE,
  dr,
  ECHO,
  Echo,
  type EchoClient,
  failures,
  HELLO,
  settled,
  status,
  steadyCalls,
  toSubset,
  useConformanceMesh,
  vs,
  warmUp,
} from './support/pilot-conformance';

useConformanceMesh();

describe('Pilot conformance with proxyless gRPC clients', () => {
  it('serves every echo instance, and proxy-status shows the client in sync', async () => {
    const rs = await warmUp();
    expect(Object.keys(count(rs, (x) => x.instance)).sort()).toEqual(['echo-v1-0', 'echo-v1-1', 'echo-v2-0']);
    expect((await call({}, HELLO)).instance).toBe('hello-0');
    const ps = cli(['proxy-status']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^NAME\s+CDS\s+LDS\s+EDS\s+RDS\s+SDS/);
    expect(ps.stdout).toMatch(/conformance-client\.default\s+SYNCED\s+SYNCED\s+SYNCED\s+SYNCED\s+NOT SENT/);
    const clusters = cli(['proxy-config', 'clusters', 'conformance-client.default']);
    expect(clusters.stdout).toMatch(/^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE/);
    expect(clusters.stdout).toMatch(new RegExp(`${ECHO.replace(/\./g, '\\.')}\\s+7070\\s+-\\s+outbound\\s+EDS`));
    const endpoints = JSON.parse(cli(['proxy-config', 'endpoints', 'conformance-client.default', '-o', 'json']).stdout) as unknown[];
    expect(JSON.stringify(endpoints)).toContain('"portValue":7070');
  });

  it('splits traffic by subset weight', async () => {
    await settled(apply(both(dr(), vs(`[{ route: [{ destination: { host: ${ECHO}, subset: v1 }, weight: 75 }, { destination: { host: ${ECHO}, subset: v2 }, weight: 25 }] }]`))));
    const rs = await calls(400);
    expect(failures(rs)).toEqual([]);
    const v2 = rs.filter((r) => r.version === 'v2').length / rs.length;
    expect(v2).toBeGreaterThan(0.25 - 0.08);
    expect(v2).toBeLessThan(0.25 + 0.08);
  });

  it('routes by header match', async () => {
    await settled(apply(both(dr(), vs(`[{ match: [{ headers: { x-canary: { exact: "yes" } } }], route: [{ destination: { host: ${ECHO}, subset: v2 } }] }, { route: [{ destination: { host: ${ECHO}, subset: v1 } }] }]`))));
    expect(count(await calls(20, { 'x-canary': 'yes' }), (r) => r.version)).toEqual({ v2: 20 });
    expect(count(await calls(20, { 'x-canary': 'no' }), (r) => r.version)).toEqual({ v1: 20 });
    expect(count(await calls(20), (r) => r.version)).toEqual({ v1: 20 });
  });

  it('injects faults: abort with the configured status, delay by the configured time', async () => {
    await settled(
      apply(
        both(
          dr(),
          vs(`
    - match: [{ headers: { x-fault: { exact: abort } } }]
      fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }
      route: [{ destination: { host: ${ECHO} } }]
    - match: [{ headers: { x-fault: { exact: delay } } }]
      fault: { delay: { fixedDelay: 400ms, percentage: { value: 100 } } }
      route: [{ destination: { host: ${ECHO} } }]
    - route: [{ destination: { host: ${ECHO} } }]`),
        ),
      ),
    );
    const aborted = await calls(5, { 'x-fault': 'abort' });
    expect(aborted.map((r) => r.code)).toEqual(Array(5).fill(grpc.status.UNAVAILABLE));
    const delayed = await calls(3, { 'x-fault': 'delay' });
    expect(failures(delayed)).toEqual([]);
    for (const r of delayed) expect(r.ms).toBeGreaterThanOrEqual(390);
    const plain = await calls(5);
    expect(failures(plain)).toEqual([]);
    for (const r of plain) expect(r.ms).toBeLessThan(300);
  });

  it('enforces a route timeout', async () => {
    await settled(apply(both(dr(), vs(`[{ timeout: 300ms, route: [{ destination: { host: ${ECHO} } }] }]`))));
    const slow = await call({ 'x-echo-delay-ms': '2000' });
    expect(slow.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(slow.ms).toBeLessThan(1500);
    expect((await call({ 'x-echo-delay-ms': '50' })).ok).toBe(true);
  });

  it('retries failed calls as the route says', async () => {
    await settled(
      apply(
        both(
          dr(),
          vs(`
    - match: [{ headers: { x-retry: { exact: "yes" } } }]
      retries: { attempts: 3, retryOn: unavailable }
      route: [{ destination: { host: ${ECHO}, subset: v2 } }]
    - retries: { attempts: 0 }
      route: [{ destination: { host: ${ECHO}, subset: v2 } }]`),
        ),
      ),
    );
    const id = `retry-${Date.now()}`;
    // Each call gets a fresh id: the v2 instance fails its first two attempts, the third succeeds.
    for (let i = 0; i < 5; i++) {
      const r = await call({ 'x-retry': 'yes', 'x-echo-fail-first': '2', 'x-echo-id': `${id}-a${i}` });
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, version: 'v2' });
    }
    const noRetry = await call({ 'x-echo-fail-first': '1', 'x-echo-id': `${id}-b` });
    expect(noRetry.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('keeps a user on one instance with a consistent hash on a header', async () => {
    await settled(apply(both(dr('{ loadBalancer: { consistentHash: { httpHeaderName: x-user } } }'), vs(DEFAULT_ROUTE))));
    const chosen = new Set<string>();
    for (let u = 0; u < 10; u++) {
      const rs = await calls(8, { 'x-user': `user-${u}` });
      const instances = Object.keys(count(rs, (r) => r.instance));
      expect(instances, `user-${u}`).toHaveLength(1);
      chosen.add(instances[0]!);
    }
    expect(chosen.size).toBeGreaterThan(1);
  });

  // gRPC enforces only success-rate and failure-percentage ejection: for proxyless clients translation maps the
  // rule's consecutive limit to failure-percentage ejection (request volume 3 per 1 s interval, over at least 2
  // hosts, more than 85% failed; see grpcOutlierFields in @sextant/translate and docs/config-reference.md).
  it('ejects an instance that keeps failing', async () => {
    // No retries: a retry on another instance would hide the failures.
    await settled(apply(both(dr('{ outlierDetection: { consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 60s, maxEjectionPercent: 50 } }'), vs(`[{ retries: { attempts: 0 }, route: [{ destination: { host: ${ECHO} } }] }]`))));
    // Every instance fails the first 1000 calls with this id... except those whose budget we spend now, directly.
    const id = `outlier-${Date.now()}`;
    const failing = status.workloads.find((w) => w.instance === 'echo-v1-0')!;
    for (const w of status.workloads.filter((x) => x.service === 'echo' && x.instance !== failing.instance)) {
      const direct = new Echo(`${w.address}:7070`, grpc.credentials.createInsecure()) as unknown as EchoClient;
      const md = new grpc.Metadata();
      md.set('x-echo-fail-first', '1000');
      md.set('x-echo-id', id);
      await Promise.all(Array.from({ length: 1000 }, () => new Promise<void>((done) => direct.Echo({ message: 'x' }, md, {}, () => done()))));
      direct.close();
    }
    const md = { 'x-echo-fail-first': '1000', 'x-echo-id': id };
    await waitFor(
      async () => {
        const rs = await calls(30, md);
        return failures(rs).length === 0 && !rs.some((r) => r.instance === failing.instance);
      },
      { timeoutMs: 8_000, intervalMs: 200, what: `${failing.instance} ejected` },
    );
    const after = await calls(40, md);
    expect(failures(after)).toEqual([]);
    expect(Object.keys(count(after, (r) => r.instance)).sort()).toEqual(['echo-v1-1', 'echo-v2-0']);
  });

  it('applies a route change while calls run, none failing', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const load = steadyCalls(3);
    await new Promise((r) => setTimeout(r, 300));
    for (const subset of ['v2', 'v1', 'v2']) {
      await settled(await applyAsync(both(dr(), vs(toSubset(subset)))));
      await new Promise((r) => setTimeout(r, 300));
    }
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(rs.length).toBeGreaterThan(50);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v2: 20 });
  });
});
