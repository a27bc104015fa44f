// End to end: `sextant up -d` with echo workloads, against a real NATS the
// test controls; every protocol of every instance answers; NATS outages are
// reported and healed; `sextant down` leaves no process behind.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import http2 from 'node:http2';
import net from 'node:net';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnNatsServer, waitFor, type SpawnedNats } from '@sextant/util';
import { tempDir } from '@sextant/testing';
import type { MeshStatus } from '@sextant/local-mesh';
import { isAlive, REPO, sextant } from './harness';

const home = tempDir('sextant-up-');
const env = { SEXTANT_HOME: home.path } as Record<string, string>;
let nats: SpawnedNats;
let natsPort: number;
let status: MeshStatus;

const WORKLOADS = `
workloads:
  - name: echo-v1
    service: echo
    serviceAccount: echo
    labels: { app: echo, version: v1 }
    replicas: 2
    ports:
      - { name: http, port: 18080, protocol: HTTP }
      - { name: http2, port: 18081, protocol: HTTP2 }
      - { name: grpc, port: 17070, protocol: GRPC }
      - { name: tcp, port: 19000, protocol: TCP }
    app: echo
  - name: echo-v2
    service: echo
    namespace: test
    labels: { app: echo, version: v2 }
    ports:
      - { name: http, port: 18080, protocol: HTTP }
      - { name: http2, port: 18081, protocol: HTTP2 }
      - { name: grpc, port: 17070, protocol: GRPC }
      - { name: tcp, port: 19000, protocol: TCP }
    app: echo
`;

const statusJson = (): MeshStatus => JSON.parse(sextant(['status', '-o', 'json'], env).stdout) as MeshStatus;

beforeAll(async () => {
  natsPort = await freePort();
  nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats'), port: natsPort });
  env['NATS_URL'] = nats.url;
  writeFileSync(join(home.path, 'echo.yaml'), WORKLOADS);
}, 60_000);

afterAll(async () => {
  sextant(['down'], env);
  await nats?.stop();
  home.remove();
});

describe('sextant up -d / status / down', () => {
  it('refuses a bad workloads file, naming entry and field, and starts nothing', () => {
    const bad = join(home.path, 'bad.yaml');
    writeFileSync(bad, '- name: web\n  service: web\n  ports: [{ name: http, port: 0 }]\n  app: echo\n');
    const r = sextant(['up', '-d', '-w', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('workloads[0] (web).ports[0].port: must be an integer from 1 to 65535, got 0');
    expect(r.stderr).toContain('nothing was started');
    expect(existsSync(join(home.path, 'mesh.json'))).toBe(false);
  });

  it('starts the mesh in the background and reports every part healthy', async () => {
    const r = sextant(['up', '-d', '-w', join(home.path, 'echo.yaml')], env);
    expect(r.stderr + r.stdout).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/galley\s+ok/);
    status = statusJson();
    expect(status.nats).toMatchObject({ url: nats.url, spawned: false, healthy: true });
    expect(status.components.map((c) => [c.name, c.healthy])).toEqual([
      ['galley', true],
      ['citadel', true],
      ['pilot', true],
      ['telemetry', true],
      ['ingress-gateway', true],
    ]);
    for (const c of status.components) expect(Object.keys(c.ports)).toContain('admin');
    expect(status.workloads.map((w) => [w.instance, w.service, w.namespace, w.labels['version'], w.healthy])).toEqual([
      ['echo-v1-0', 'echo', 'default', 'v1', true],
      ['echo-v1-1', 'echo', 'default', 'v1', true],
      ['echo-v2-0', 'echo', 'test', 'v2', true],
    ]);
    const addresses = new Set(status.workloads.map((w) => w.address));
    expect(addresses.size).toBe(3);
    expect(status.workloads[0].ports).toContainEqual({ name: 'grpc', port: 17070, protocol: 'GRPC' });
    // Every instance has a sidecar on its address; the app listens on a second one behind it.
    for (const w of status.workloads) {
      expect(w.sidecar).toEqual({ outbound: 15001, inbound: 15006, admin: 15000 });
      expect(w.appAddress).not.toBe(w.address);
      expect((await fetch(`http://${w.address}:15000/ready`)).status).toBe(200);
    }
    expect(status.gateways).toEqual([{ name: 'ingress-gateway', address: expect.stringMatching(/^127\./), http: expect.stringMatching(/^http:\/\/127\.[0-9.]+:8080$/) }]);
  });

  it('refuses a second `up` while one runs', () => {
    const r = sextant(['up', '-d', '-w', join(home.path, 'echo.yaml')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('A local mesh is already running');
  });

  it('registers every instance in the sextant_workloads bucket', async () => {
    const nc = await connect({ servers: nats.url });
    const kv = await new Kvm(nc).open('sextant_workloads');
    const keys: string[] = [];
    for await (const k of await kv.keys()) keys.push(k);
    expect(keys.sort()).toEqual(['default.echo-v1-0', 'default.echo-v1-1', 'test.echo-v2-0']);
    const entry = await kv.get('test.echo-v2-0');
    expect(JSON.parse(new TextDecoder().decode(entry!.value))).toMatchObject({ service: 'echo', namespace: 'test', serviceAccount: 'default', health: 'HEALTHY', labels: { version: 'v2' } });
    await nc.close();
  });

  it('serves HTTP/1.1, h2c, gRPC and TCP on every instance', async () => {
    const proto = grpc.loadPackageDefinition(protoLoader.loadSync(resolve(REPO, 'samples/echo/echo.proto'))) as unknown as {
      sextant: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } };
    };
    for (const w of status.workloads) {
      const res = await fetch(`http://${w.address}:18080/hello?x=1`);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ service: 'echo', version: w.labels['version'], instance: w.instance, method: 'GET', path: '/hello?x=1' });
      expect(res.headers.get('x-echo-instance')).toBe(w.instance);

      // h2c through the sidecar (the HTTP port accepts both protocols).
      const h2 = http2.connect(`http://${w.address}:18080`);
      const h2body = await new Promise<string>((ok, fail) => {
        const req = h2.request({ ':path': '/h2' });
        let data = '';
        req.on('data', (c: Buffer) => (data += c.toString()));
        req.on('end', () => ok(data));
        req.on('error', fail);
      });
      h2.close();
      // The client spoke h2c to the sidecar; the sidecar speaks the port's protocol (HTTP/1.1) to the app.
      expect(JSON.parse(h2body)).toMatchObject({ instance: w.instance, protocol: 'HTTP/1.1' });

      const client = new proto.sextant.echo.v1.Echo(`${w.address}:17070`, grpc.credentials.createInsecure());
      const reply = await new Promise<Record<string, unknown>>((ok, fail) =>
        client.Echo({ message: 'hi' }, (err: Error | null, r: Record<string, unknown>) => (err ? fail(err) : ok(r))),
      );
      client.close();
      expect(reply).toMatchObject({ message: 'hi', service: 'echo', instance: w.instance });

      const echoed = await new Promise<string>((ok, fail) => {
        const s = net.connect(19000, w.address, () => s.write('ping\n'));
        s.on('data', (d) => {
          ok(d.toString());
          s.destroy();
        });
        s.on('error', fail);
      });
      expect(echoed).toBe('ping\n');
    }
  });

  it('gives every proxy a certificate for its own identity from a single-use token file; a restarted sidecar gets a fresh token', async () => {
    type Certs = { identity: string; state: string; certificate: { serial: string; method: string } };
    const certsOf = async (url: string) => (await (await fetch(`${url}/certs`)).json()) as Certs;
    const tokens = join(home.path, 'tokens');
    expect(statSync(tokens).mode & 0o777).toBe(0o700);
    for (const w of status.workloads) {
      expect(statSync(join(tokens, `${w.instance}.sidecar.token`)).mode & 0o777).toBe(0o600);
      expect(await certsOf(`http://${w.address}:15000`)).toMatchObject({ identity: `spiffe://cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`, state: 'VALID' });
    }
    const gateway = status.components.find((c) => c.name === 'ingress-gateway')!;
    expect(await certsOf(`http://127.0.0.1:${gateway.ports['admin']}`)).toMatchObject({ identity: 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', state: 'VALID' });
    const cli = sextant(['proxy-config', 'secret', 'echo-v2-0.test'], env);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('IDENTITY spiffe://cluster.local/ns/test/sa/default');
    expect(cli.stdout).toMatch(/^default\s+Cert Chain\s+ACTIVE\s+true\s+[0-9a-f]+/m);
    expect(cli.stdout).toMatch(/^ROOTCA\s+CA\s+ACTIVE\s+true/m);

    const w = status.workloads[0];
    const tokenFile = join(tokens, `${w.instance}.sidecar.token`);
    const tokenBefore = readFileSync(tokenFile, 'utf8');
    const before = await certsOf(`http://${w.address}:15000`);
    expect(sextant(['restart', w.instance], env).code).toBe(0);
    const after = await certsOf(`http://${w.address}:15000`);
    expect(readFileSync(tokenFile, 'utf8')).not.toBe(tokenBefore);
    expect(after).toMatchObject({ state: 'VALID', certificate: { method: 'bootstrap-token' } });
    expect(after.certificate.serial).not.toBe(before.certificate.serial);
  });

  it('reports not-ready while NATS is down and recovers without a restart', async () => {
    const pids = status.components.map((c) => c.pid);
    await nats.stop();
    await waitFor(() => statusJson().components.every((c) => !c.healthy && !c.ready), { timeoutMs: 15_000, intervalMs: 250, what: 'components not ready' });
    const down = statusJson();
    expect(down.nats?.healthy).toBe(false);
    expect(JSON.stringify(down.components[0].detail)).toMatch(/disconnected|connecting/);
    nats = await spawnNatsServer({ dataDir: join(home.path, 'external-nats'), port: natsPort });
    await waitFor(() => statusJson().components.every((c) => c.healthy), { timeoutMs: 30_000, intervalMs: 250, what: 'components ready again' });
    expect(statusJson().components.map((c) => c.pid)).toEqual(pids);
  });

  it('`down` stops everything it started and nothing else', async () => {
    const pids = [...status.components.map((c) => c.pid), ...status.workloads.flatMap((w) => [w.pid, w.sidecarPid])].filter((p): p is number => !!p);
    expect(pids.length).toBe(5 + 3 + 3); // control plane, apps, their sidecars
    const r = sextant(['down'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Local mesh stopped');
    await waitFor(() => pids.every((p) => !isAlive(p)), { timeoutMs: 5_000, what: 'all processes gone' });
    expect(nats.process.exitCode).toBeNull(); // the external NATS is not ours to stop
    const after = sextant(['status', '-o', 'json'], env);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false });
  });
});
