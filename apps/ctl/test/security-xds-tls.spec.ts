// xDS over mTLS in the local mesh (DESIGN §2: Pilot 15012): with Citadel on,
// `sextant up` gives Pilot its own certificate
// (spiffe://cluster.local/ns/istio-system/sa/sextant-pilot) and every sidecar
// and the gateway fetch their config over mTLS on Pilot's TLS port, each as
// its own identity. Straight at that port: no certificate, a certificate
// from another CA, an expired one, or one whose namespace is not the node's
// are refused with the reason, and Pilot logs and counts each refusal.
// Pilot's certificate is asked for with a 20 s lifetime, so it rotates
// during the run: the proxies' streams stay, new connections get the new one.
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type DiscoveryRequest, type DiscoveryResponse__Output, TYPE_URL, adsServiceDefinition } from '@sextant/proto';
import { waitFor } from '@sextant/util';
import { checkPilotIdentity } from '@sextant/xds-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, startMesh, type TestMesh } from './support/mesh';
import { logLinesSince, makeCert, meshRoot, type Pem } from './support/security';

const PILOT_ID = 'spiffe://cluster.local/ns/istio-system/sa/sextant-pilot';
const SLEEP_ID = 'spiffe://cluster.local/ns/default/sa/sleep';

let mesh: TestMesh;
let tlsPort: number;
let root: Pem;
let pilotLog: string;

interface SyncEntry {
  proxy: string;
  connectionId: string;
  connectedSince: string;
  security?: { transport: string; identity: string; serial: string };
  types: Record<string, { sync: string }>;
}

const syncz = async (): Promise<SyncEntry[]> => (await (await fetch(`${mesh.pilotAdmin}/debug/syncz`)).json()) as SyncEntry[];
const metric = async (name: string, labels = ''): Promise<number> => {
  const text = await (await fetch(`${mesh.pilotAdmin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

beforeAll(async () => {
  // Read by Pilot (the runner passes its environment on): its serving certificate rotates at ~16 s.
  process.env['PILOT_CERT_LIFETIME'] = '20s';
  mesh = await startMesh('sextant-xds-tls-', join(FIXTURES, 'security-pair.yaml'));
  const pilot = mesh.status.components.find((c) => c.name === 'pilot')!;
  tlsPort = pilot.ports['xdsTls']!;
  pilotLog = pilot.log;
  root = meshRoot(mesh.home);
}, 300_000);

afterAll(() => mesh?.down());

/** One SotW stream to Pilot's TLS port, verifying Pilot by SPIFFE ID; records the serving certificate. */
function probe(client: Pem | undefined, namespace: string) {
  const seen: { serial?: string } = {};
  const credentials = grpc.credentials.createSsl(Buffer.from(root.certPem), client ? Buffer.from(client.keyPem) : null, client ? Buffer.from(client.certPem) : null, {
    checkServerIdentity: (_host, cert) => {
      seen.serial = new X509Certificate(cert.raw).serialNumber;
      return checkPilotIdentity(PILOT_ID, cert);
    },
  });
  const Ads = adsServiceDefinition();
  const c = new Ads(`127.0.0.1:${tlsPort}`, credentials, { 'grpc.ssl_target_name_override': 'istiod.istio-system.svc' }) as unknown as grpc.Client & {
    StreamAggregatedResources(): grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>;
  };
  const call = c.StreamAggregatedResources();
  const responses: DiscoveryResponse__Output[] = [];
  let status: grpc.StatusObject | undefined;
  call.on('data', (r: DiscoveryResponse__Output) => responses.push(r));
  call.on('status', (s: grpc.StatusObject) => (status = s));
  call.on('error', () => {});
  call.write({
    node: { id: `sidecar~127.0.10.250~probe-0.${namespace}~${namespace}.svc.cluster.local`, cluster: 'probe', metadata: { fields: { NAMESPACE: { stringValue: namespace } } } },
    typeUrl: TYPE_URL.cluster,
  });
  return {
    seen,
    responses,
    ended: () => waitFor(() => status, { timeoutMs: 10_000, intervalMs: 50, what: 'the stream to end' }),
    close() {
      call.end();
      c.close();
    },
  };
}

describe('proxies fetch their config over mTLS', () => {
  it("every sidecar and the gateway hold a stream on Pilot's TLS port as their own SPIFFE identity", async () => {
    const entries = await waitFor(async () => ((await syncz()).length === 3 ? syncz() : undefined), { timeoutMs: 20_000, intervalMs: 200, what: 'three proxies in syncz' });
    const identities = Object.fromEntries(entries.map((e) => [e.proxy.split('~')[2], e.security?.identity]));
    expect(identities).toEqual({
      'sleep-0.default': SLEEP_ID,
      'echo-v1-0.default': 'spiffe://cluster.local/ns/default/sa/echo',
      'istio-ingressgateway-0.istio-system': 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    });
    expect(entries.every((e) => e.security?.transport === 'tls')).toBe(true);
    expect(await metric('sextant_pilot_xds_tls_connections')).toBe(3);
    const ps = mesh.cli(['proxy-status']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/sleep-0\.default\s+SYNCED\s+SYNCED\s+SYNCED\s+SYNCED/);
    expect(ps.stdout).toMatch(/istio-ingressgateway-0\.istio-system\s+SYNCED\s+SYNCED/);
  });
});

describe("attacks on Pilot's TLS port", () => {
  const attacker = makeCert({ ca: true, commonName: 'Attacker CA' });
  const cases: [string, () => Pem | undefined, string, number, string, RegExp][] = [
    ['no client certificate', () => undefined, 'default', grpc.status.UNAUTHENTICATED, 'no_client_certificate', /no client certificate/],
    ['a certificate from another CA', () => makeCert({ issuer: attacker, uris: [SLEEP_ID] }), 'default', grpc.status.UNAUTHENTICATED, 'untrusted', /does not chain to the mesh roots/],
    [
      "an expired certificate from the mesh's own root",
      () => makeCert({ issuer: root, uris: [SLEEP_ID], notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 60_000) }),
      'default',
      grpc.status.UNAUTHENTICATED,
      'expired',
      /expired at/,
    ],
    ["a valid certificate for default claiming a node in istio-system", () => makeCert({ issuer: root, uris: [SLEEP_ID] }), 'istio-system', grpc.status.PERMISSION_DENIED, 'node_mismatch', /claims namespace istio-system, but its certificate .* is for namespace default/],
  ];
  for (const [what, cert, namespace, code, reason, message] of cases) {
    it(`refuses ${what}: the client reads why, Pilot logs and counts it`, async () => {
      const logFrom = statSync(pilotLog).size;
      const before = await metric('sextant_pilot_xds_tls_refused_total', `reason="${reason}"`);
      const p = probe(cert(), namespace);
      const status = await p.ended();
      p.close();
      expect(status.code).toBe(code);
      expect(status.details).toMatch(message);
      expect(p.responses).toEqual([]);
      expect(await metric('sextant_pilot_xds_tls_refused_total', `reason="${reason}"`)).toBe(before + 1);
      const logged = await waitFor(() => logLinesSince(pilotLog, logFrom).find((l) => String(l['msg']).startsWith('xDS client refused') && l['reason'] === reason), {
        timeoutMs: 5_000,
        intervalMs: 100,
        what: 'the refusal in the Pilot log',
      });
      expect(String(logged['msg'])).toMatch(message);
    });
  }

  it("control: a mesh certificate for the node's own namespace gets its config", async () => {
    const p = probe(makeCert({ issuer: root, uris: [SLEEP_ID] }), 'default');
    await waitFor(() => p.responses.length > 0, { timeoutMs: 10_000, intervalMs: 50, what: 'a CDS response' });
    expect(p.responses[0]!.typeUrl).toBe(TYPE_URL.cluster);
    p.close();
  });
});

describe("Pilot's certificate rotation", () => {
  it('rotates at ~80 % of its lifetime without dropping a proxy stream; new connections get the new certificate', async () => {
    const proxies = async () => new Map((await syncz()).filter((e) => !e.proxy.includes('~probe-0.')).map((e) => [e.proxy, e.connectionId]));
    const streams = await proxies();
    expect(streams.size).toBe(3);
    const rotations = await metric('sextant_pilot_xds_tls_credential_updates_total', 'what="certificate"');
    const first = probe(makeCert({ issuer: root, uris: [SLEEP_ID] }), 'default');
    await waitFor(() => first.responses.length > 0, { timeoutMs: 10_000, intervalMs: 50, what: 'a CDS response' });
    first.close();
    await waitFor(async () => (await metric('sextant_pilot_xds_tls_credential_updates_total', 'what="certificate"')) > rotations, { timeoutMs: 40_000, intervalMs: 500, what: "a rotation of Pilot's certificate" });
    const after = probe(makeCert({ issuer: root, uris: [SLEEP_ID] }), 'default');
    await waitFor(() => after.responses.length > 0, { timeoutMs: 10_000, intervalMs: 50, what: 'a CDS response after the rotation' });
    after.close();
    expect(after.seen.serial).toBeDefined();
    expect(after.seen.serial).not.toBe(first.seen.serial);
    // The proxies' streams are the ones they had before the rotation.
    expect(await proxies()).toEqual(streams);
    expect((await syncz()).every((e) => e.security?.transport === 'tls')).toBe(true);
  }, 90_000);
});

describe('Pilot restart', () => {
  it('a restarted Pilot gets a new certificate (fresh bootstrap token) and every proxy reconnects over mTLS', async () => {
    const pilotOf = () => mesh.statusJson().components.find((c) => c.name === 'pilot')!;
    const before = pilotOf();
    process.kill(before.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const p = pilotOf();
        return p.pid !== before.pid && p.ready === true;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'Pilot restarted and ready (serving 15012 again)' },
    );
    const entries = await waitFor(
      async () => {
        const s = (await syncz()).filter((e) => !e.proxy.includes('~probe-0.'));
        return s.length === 3 && s.every((e) => e.security?.transport === 'tls' && Object.values(e.types).every((t) => t.sync !== 'STALE')) ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the three proxies back on the TLS port' },
    );
    expect(entries.map((e) => e.security?.identity).sort()).toEqual([
      'spiffe://cluster.local/ns/default/sa/echo',
      SLEEP_ID,
      'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    ]);
    expect(await metric('sextant_pilot_xds_tls_connections')).toBe(3);
  }, 150_000);
});
