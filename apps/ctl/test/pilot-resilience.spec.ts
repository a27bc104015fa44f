// Pilot conformance, end to end, part 2: Pilot under change and failure,
// seen from a proxyless gRPC client: NACK reporting, bad config isolation,
// VirtualService + DestinationRule batches under load, Pilot restarts, NATS
// outages. The mesh and the client helpers are in support/pilot-conformance.ts.
// One mesh is shared by every test (in this order).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@sextant/config-model';
import { ConfigStore } from '@sextant/config-store';
import { BUCKETS, openBucket } from '@sextant/nats';
import { waitFor } from '@sextant/util';
import {
  apply,
  applyAsync,
  both,
  call,
  calls,
  cli,
  cliAsync,
  count,
  DEFAULT_ROUTE,
  dr,
  ECHO,
  failures,
  galleyAdmin,
  HELLO,
  home,
  json,
  natsUrl,
  pilotAdmin,
  pilotOf,
  restartNats,
  settled,
  status,
  statusJson,
  statusJsonAsync,
  steadyCalls,
  stopNats,
  syncOf,
  toSubset,
  useConformanceMesh,
  vs,
  warmUp,
} from './support/pilot-conformance';

useConformanceMesh();
// The client's channel (and so its xDS stream) exists before the first test: NACKs need a stream to come from.
beforeAll(async () => {
  await warmUp();
}, 30_000);

describe('Pilot under change and failure', () => {
  it('shows a resource the client rejects as NACKED with its error, and the client keeps its last good config', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const at = apply(both(dr(), vs(`[{ match: [{ headers: { x-go: { exact: away } } }], redirect: { uri: /elsewhere } }, { route: [{ destination: { host: ${ECHO}, subset: v2 } }] }]`)));
    await waitFor(async () => (await syncOf())?.types['rds']?.sync === 'NACKED', { timeoutMs: 10_000, what: 'RDS NACKED' });
    expect(Date.now()).toBeGreaterThan(at);
    const ps = cli(['proxy-status', 'conformance-client.default']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/RDS\s+NACKED/);
    expect(ps.stdout).toMatch(/unsupported action: redirect/);
    expect(cli(['proxy-status']).stdout).toMatch(/conformance-client\.default\s+SYNCED\s+SYNCED\s+SYNCED\s+NACKED/);
    // The rejected routes never arrived: calls still follow the last good ones (v1).
    expect(count(await calls(10), (r) => r.version)).toEqual({ v1: 10 });
    await settled(apply(both(dr(), vs(toSubset('v2')))));
    expect((await syncOf())?.types['rds']?.sync).toBe('SYNCED');
    expect(count(await calls(10), (r) => r.version)).toEqual({ v2: 10 });
  });

  it('keeps routing host B when a malformed VirtualService for host A gets into the store', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')), vs(`[{ route: [{ destination: { host: ${HELLO} } }] }]`, 'hello', HELLO))));
    const malformed = vs(`[{ route: [{ destination: { host: ${ECHO}, subset: v2 }, weight: lots }] }]`);
    const file = join(home.path, 'malformed.yaml');
    writeFileSync(file, malformed);
    expect(cli(['apply', '-f', file]).code).toBe(1); // Galley refuses it...
    // ...so it goes in behind Galley's back, straight into the bucket.
    const nc = await connect({ servers: natsUrl() });
    const store = new ConfigStore({ kv: await openBucket(nc, BUCKETS.config) });
    const bad: Resource = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'echo', namespace: 'default' },
      spec: { hosts: [ECHO], http: [{ route: [{ destination: { host: ECHO, subset: 'v2' }, weight: 'lots' }] }] },
    } as Resource;
    await store.apply([bad]);
    await nc.close();
    await waitFor(async () => (await json<{ rejected: { key: string }[] }>(`${pilotAdmin}/debug/configz`)).rejected.some((r) => r.key === 'VirtualService/default/echo'), {
      timeoutMs: 10_000,
      what: 'Pilot to skip the malformed VirtualService',
    });
    // Host B takes new config as usual...
    await settled(apply(vs(`[{ match: [{ headers: { x-fail: { exact: "yes" } } }], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } }, route: [{ destination: { host: ${HELLO} } }] }, { route: [{ destination: { host: ${HELLO} } }] }]`, 'hello', HELLO)));
    expect((await call({ 'x-fail': 'yes' }, HELLO)).code).toBe(grpc.status.UNAVAILABLE);
    expect(count(await calls(10, {}, HELLO), (r) => r.instance)).toEqual({ 'hello-0': 10 });
    // ...and host A keeps its last valid routes.
    expect(count(await calls(10), (r) => r.version)).toEqual({ v1: 10 });
    await settled(apply(both(dr(), vs(DEFAULT_ROUTE))));
    expect((await json<{ rejected: unknown[] }>(`${pilotAdmin}/debug/configz`)).rejected).toEqual([]);
  });

  it('applies a VirtualService and the DestinationRule with its new subsets together, 100 times under load, with no failed call', async () => {
    const load = steadyCalls(3);
    let last = 0;
    for (let i = 0; i < 100; i++) {
      const version = i % 2 === 0 ? 'v2' : 'v1';
      const subset = `s${i}-${version}`;
      const yaml = both(dr('', `[{ name: ${subset}, labels: { version: ${version} } }]`), vs(toSubset(subset)));
      last = Date.now();
      const res = await fetch(`${galleyAdmin}/apis/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: yaml });
      expect(res.status, await res.clone().text()).toBe(200);
      await new Promise((r) => setTimeout(r, 130));
    }
    await settled(last);
    await new Promise((r) => setTimeout(r, 300));
    const rs = await load.stop();
    expect(count(rs.filter((r) => !r.ok), (r) => `${r.code} ${r.details}`)).toEqual({});
    expect(rs.length).toBeGreaterThan(200);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v1: 20 });
    const pushes = await json<{ totalPushes: number }>(`${pilotAdmin}/debug/push_status`);
    expect(pushes.totalPushes).toBeGreaterThan(20);
  });

  it('survives a Pilot restart under a steady stream of calls; the client resyncs', async () => {
    await settled(apply(both(dr(), vs(toSubset('v1')))));
    const before = pilotOf(statusJson());
    const load = steadyCalls(3);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(before.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const p = pilotOf(await statusJsonAsync());
        return p.pid !== before.pid && p.healthy && p.ready;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'Pilot restarted and ready' },
    );
    await waitFor(async () => {
      const s = await syncOf();
      return s && ['cds', 'lds', 'eds', 'rds'].every((t) => s.types[t]!.sync === 'SYNCED');
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'the client to reconnect and resync' });
    await settled(await applyAsync(both(dr(), vs(toSubset('v2')))));
    await new Promise((r) => setTimeout(r, 300));
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(pilotOf(await statusJsonAsync()).restarts).toBeGreaterThan(before.restarts);
    expect(count(rs.slice(-20), (r) => r.version)).toEqual({ v2: 20 });
  });

  it('keeps serving while NATS is away (longer than workload entries live), and takes config again after', async () => {
    await settled(apply(both(dr(), vs(DEFAULT_ROUTE))));
    const load = steadyCalls(2);
    await stopNats();
    await waitFor(async () => (await fetch(`${pilotAdmin}/readyz`)).status === 503, { timeoutMs: 15_000, what: 'Pilot not ready without NATS' });
    await new Promise((r) => setTimeout(r, 17_000)); // > the 15 s a workload entry lives without refresh
    // Pilot still serves the full picture: a proxy connecting now would get all three endpoints.
    const endpoints = await cliAsync(['proxy-config', 'endpoints', 'conformance-client.default']);
    expect(endpoints.code, endpoints.stderr).toBe(0);
    const echoRows = endpoints.stdout.split('\n').filter((l) => l.endsWith(`outbound|7070||${ECHO}`));
    expect(echoRows.map((l) => l.split(/\s+/)[0]).sort()).toEqual(status.workloads.filter((w) => w.service === 'echo').map((w) => `${w.address}:7070`).sort());
    expect(echoRows.every((l) => /\sHEALTHY\s/.test(l))).toBe(true);
    await restartNats();
    await waitFor(async () => (await fetch(`${pilotAdmin}/readyz`)).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: 'Pilot ready again' });
    await new Promise((r) => setTimeout(r, 8_000)); // past the settle time: held registry changes flow again
    await settled(await applyAsync(both(dr(), vs(toSubset('v2')))));
    await new Promise((r) => setTimeout(r, 300)); // calls started before the change finish
    const rs = await load.stop();
    expect(failures(rs)).toEqual([]);
    expect(count(rs.slice(-10), (r) => r.version)).toEqual({ v2: 10 });
    expect(Object.keys(count(await calls(1), (r) => r.instance))).toHaveLength(1);
  });
});
