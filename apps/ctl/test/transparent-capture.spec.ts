// Transparent capture end to end, like a pod with istio-init: two network
// namespaces this test creates (client and server) on a bridge, each with
// its app and a sidecar running as uid/gid 1337 in REDIRECT mode, the
// capture rules written by `sextant proxy iptables` inside each namespace,
// and nats-server, Galley and Pilot (the built bundles) on the bridge
// address. The client app is plain curl to the service's hostname; the
// namespace's /etc/hosts (ip netns exec mounts /etc/netns/NS/hosts) maps
// that name to the VIP Pilot allocated, which is what cluster DNS does.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsLink } from '@sextant/nats';
import { buildApp } from '@sextant/testing';
import { freePort, silentLogger, waitFor } from '@sextant/util';
import { WorkloadAnnouncer } from '@sextant/workloads';
import { asUser, canRun, ctlMain, HOST, inNs, NetnsPods, PORT, PROXY_ID, sh } from './support/netns';

const pods = new NetnsPods('sxtc', '10.251');
const { NS, HUB_IP, IP, tmp } = pods;
let link: NatsLink | undefined;
let announcer: WorkloadAnnouncer | undefined;
const ports = { nats: 0, galleyGrpc: 0, galleyAdmin: 0, pilotXds: 0, pilotXdsTls: 0, pilotWebhook: 0, pilotAdmin: 0 };
let vip = '';
const curl = (url: string, headers: Record<string, string> = {}) => pods.curl(url, headers);
const stats = (role: 'client' | 'server') => pods.stats(role);

describe.skipIf(!canRun)('transparent capture between network namespaces', () => {
  beforeAll(async () => {
    for (const app of ['proxy', 'pilot', 'galley', 'ctl']) buildApp(app);
    pods.teardownNetwork();
    pods.setupNetwork();
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    await pods.startControlPlane(ports);

    // The workloads as the local runner announces them (no `sidecar` field: plaintext between sidecars; mTLS: transparent-capture-mtls.spec.ts).
    link = new NatsLink({ url: `nats://${HUB_IP}:${ports.nats}`, name: 'tcap-test', logger: silentLogger() });
    link.start();
    await link.ready(10_000);
    announcer = new WorkloadAnnouncer(link, silentLogger(), 2_000);
    for (const role of ['client', 'server'] as const) announcer.add({ identity: pods.identity(role), health: async () => 'HEALTHY' });
    announcer.start();
    const registry = `http://${HUB_IP}:${ports.pilotAdmin}/debug/registryz?service=${HOST}`;
    await waitFor(async () => {
      const r = (await (await fetch(registry)).json()) as { services: { addresses: string[]; endpoints: unknown[] }[] };
      vip = r.services[0]?.addresses[0] ?? '';
      return vip !== '' && r.services[0]!.endpoints.length > 0;
    }, { timeoutMs: 20_000, what: `${HOST} in Pilot's registry` });
    pods.writeHosts(vip);
    pods.startServerApp();
    for (const out of pods.installCapture()) expect(out).toContain('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    pods.startSidecar('server', ports);
    pods.startSidecar('client', ports);
    await pods.waitForSidecars();
  }, 180_000);

  afterAll(async () => {
    await announcer?.stop().catch(() => undefined);
    await link?.close().catch(() => undefined);
    await pods.stop();
  });

  it('installed the rules in each namespace, idempotently (a re-run replaces them)', () => {
    const ctl = [process.execPath, ctlMain(), 'proxy', 'iptables'];
    sh(inNs(NS.server, [...ctl, '--proxy-uid', String(PROXY_ID), '--proxy-gid', String(PROXY_ID)]));
    const nat = sh(inNs(NS.server, ['iptables', '-t', 'nat', '-S']));
    expect(nat.match(/-A PREROUTING -p tcp -j ISTIO_INBOUND/g)).toHaveLength(1);
    expect(nat.match(/-A OUTPUT -p tcp -j ISTIO_OUTPUT/g)).toHaveLength(1);
    expect(nat).toContain('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN');
    // Nothing leaked into the namespace the test runs in.
    expect(sh(['iptables', '-t', 'nat', '-S'])).not.toContain('ISTIO_');
  });

  it('carries a mesh-unaware app\'s request through both sidecars', async () => {
    const r = curl(`http://${HOST}:${PORT}/hello`);
    expect(r.status, r.body).toBe(200);
    const seen = JSON.parse(r.body) as { remote: string; url: string; headers: Record<string, string> };
    // Delivered by the server's sidecar (from inside the server namespace), not straight from the client.
    expect(seen.remote.replace('::ffff:', '')).toBe(IP.server);
    expect(seen.url).toBe('/hello');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.headers['host']).toBe(`${HOST}:${PORT}`);
    const labels = (reporter: string) => new RegExp(`istio_requests_total\\{[^}]*reporter="${reporter}"[^}]*\\} \\d+`);
    await waitFor(async () => labels('source').test(await stats('client')) && labels('destination').test(await stats('server')), { timeoutMs: 10_000, what: 'request metrics on both sidecars' });
    const client = (await stats('client')).split('\n').find((l) => labels('source').test(l) && l.includes(`destination_service="${HOST}"`));
    const server = (await stats('server')).split('\n').find((l) => labels('destination').test(l) && l.includes(`destination_service="${HOST}"`));
    for (const line of [client, server]) {
      expect(line).toBeDefined();
      expect(line).toContain('source_workload="sleep-v1"');
      expect(line).toContain('destination_workload="hello-v1"');
      expect(line).toContain('response_code="200"');
    }
  });

  it('passes a call to the pod address through the client sidecar (PassthroughCluster) into the server\'s inbound capture', () => {
    const r = curl(`http://${IP.server}:${PORT}/direct`);
    expect(r.status, r.body).toBe(200);
    const seen = JSON.parse(r.body) as { remote: string; url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/direct');
    expect(seen.remote.replace('::ffff:', '')).toBe(IP.server);
    expect(seen.headers['x-request-id']).toBeDefined();
  });

  it('gets Istio\'s transparent-mode config from Pilot for INTERCEPTION_MODE=REDIRECT', () => {
    const pc = (type: string) =>
      JSON.parse(sh([process.execPath, ctlMain(), 'proxy-config', type, 'hello-v1-0.default', '-o', 'json', '--pilot-admin', `http://${HUB_IP}:${ports.pilotAdmin}`])) as Record<string, unknown>[];
    const listeners = pc('listeners');
    const names = listeners.map((l) => l['name']);
    expect(names).toEqual(expect.arrayContaining(['virtualOutbound', 'virtualInbound', `0.0.0.0_${PORT}`]));
    // No listener bound on the workload address (that is INTERCEPTION_MODE=NONE).
    expect(names).not.toContain(`${IP.server}_${PORT}`);
    const inbound = listeners.find((l) => l['name'] === 'virtualInbound') as { listenerFilters: { name: string }[] };
    expect(inbound.listenerFilters.map((f) => f.name)).toContain('envoy.filters.listener.original_dst');
    const cluster = pc('clusters').find((c) => c['name'] === `inbound|${PORT}||`);
    expect(cluster).toMatchObject({ type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED' });
  });

  it('applies a VirtualService from Galley to the transparent call', async () => {
    const file = join(tmp.path, 'vs.yaml');
    writeFileSync(
      file,
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: hello, namespace: default }
spec:
  hosts: [${HOST}]
  http:
    - match: [{ headers: { end-user: { exact: jason } } }]
      fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }
      route: [{ destination: { host: ${HOST} } }]
    - headers: { request: { set: { x-mesh-route: transparent } } }
      route: [{ destination: { host: ${HOST} } }]
`,
    );
    sh([process.execPath, ctlMain(), 'apply', '-f', file, '--galley', `${HUB_IP}:${ports.galleyGrpc}`]);
    await waitFor(() => (JSON.parse(curl(`http://${HOST}:${PORT}/vs`).body || '{}') as { headers?: Record<string, string> }).headers?.['x-mesh-route'] === 'transparent', {
      timeoutMs: 20_000,
      what: 'the VirtualService header on the transparent call',
    });
    expect(curl(`http://${HOST}:${PORT}/vs`, { 'end-user': 'jason' }).status).toBe(418);
    expect(curl(`http://${HOST}:${PORT}/vs`, { 'end-user': 'other' }).status).toBe(200);
  });
});

describe.skipIf(!canRun)('sextant proxy iptables in a namespace of its own', () => {
  const ns = `sxtcX${pods.tag}`;
  const ctl = (args: string[], uid?: number) =>
    spawnSync('ip', ['netns', 'exec', ns, ...(uid !== undefined ? asUser(uid, []) : []), process.execPath, ctlMain(), 'proxy', 'iptables', ...args], { encoding: 'utf8' });
  beforeAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('--cleanup removes every rule and chain it installed, and a second cleanup is harmless', () => {
    expect(ctl(['--proxy-uid', '1337']).status).toBe(0);
    expect(sh(inNs(ns, ['iptables', '-t', 'nat', '-S']))).toContain('ISTIO_OUTPUT');
    for (let i = 0; i < 2; i++) {
      const r = ctl(['--cleanup']);
      expect(r.status, r.stderr).toBe(0);
      expect(sh(inNs(ns, ['iptables', '-t', 'nat', '-S']))).not.toContain('ISTIO_');
    }
  });

  it('says it needs root when run as another user', () => {
    const r = ctl(['--proxy-uid', '1337'], 4242);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not root \(uid 4242\); run as root or with CAP_NET_ADMIN/);
  });
});

describe.runIf(!canRun)('transparent capture (skipped)', () => {
  it('needs root, iptables, iproute2, curl, setpriv and nats-server', () => {
    expect(canRun).toBe(false);
  });
});
