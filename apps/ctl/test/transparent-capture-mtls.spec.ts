// Transparent capture with mutual TLS, like two pods with istio-init and
// istio-proxy under PeerAuthentication STRICT: the client and server network
// namespaces of ./support/netns.ts, iptables REDIRECT written by `sextant
// proxy iptables`, sidecars as uid 1337, and now Citadel (the built bundle)
// on the bridge: each sidecar obtains its SPIFFE certificate with a
// bootstrap token at start, the workloads are announced with their sidecars
// (so Pilot sends ISTIO_MUTUAL to them), and namespace default is STRICT.
// A mesh-unaware app's plain call goes through both sidecars over mTLS and
// arrives with X-Forwarded-Client-Cert naming the caller's SPIFFE ID; a
// plaintext connection straight to the server's captured port is refused;
// an AuthorizationPolicy AUDIT on the caller's principal marks its requests
// in the server sidecar's access log (PROXY_ACCESS_LOG=on) without changing
// their outcome.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsLink } from '@sextant/nats';
import { buildApp } from '@sextant/testing';
import { freePort, silentLogger, waitFor } from '@sextant/util';
import { WorkloadAnnouncer } from '@sextant/workloads';
import { requestBootstrapToken } from '@sextant/workload-identity';
import { REPO } from './harness';
import { logLinesSince } from './support/security';
import { canRun, ctlMain, HOST, NetnsPods, ok, PORT, sh, type Role } from './support/netns';

const pods = new NetnsPods('sxtm', '10.252');
const { HUB_IP, IP, tmp } = pods;
const SLEEP_ID = 'spiffe://cluster.local/ns/default/sa/sleep';
const HELLO_ID = 'spiffe://cluster.local/ns/default/sa/hello';
// Where each sidecar's ports are: what the local runner announces with a workload that has one.
const SIDECAR = { outbound: 15001, inbound: 15006, admin: 15000 };
let link: NatsLink | undefined;
let announcer: WorkloadAnnouncer | undefined;
const ports = { nats: 0, galleyGrpc: 0, galleyAdmin: 0, pilotXds: 0, pilotXdsTls: 0, pilotWebhook: 0, pilotAdmin: 0, citadelGrpc: 0, citadelAdmin: 0 };

interface Seen {
  remote: string;
  url: string;
  headers: Record<string, string>;
}

async function certs(role: Role): Promise<{ identity: string; state: string }> {
  return (await (await fetch(`http://${IP[role]}:15000/certs`)).json()) as { identity: string; state: string };
}

describe.skipIf(!canRun)('transparent capture with mutual TLS (PeerAuthentication STRICT)', () => {
  beforeAll(async () => {
    for (const app of ['proxy', 'pilot', 'galley', 'ctl', 'citadel']) buildApp(app);
    pods.teardownNetwork();
    pods.setupNetwork();
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    await pods.startControlPlane(ports);
    // Citadel on the bridge; its admin endpoint answers the test from the bridge address (it still needs admin.secret).
    const citadelData = join(tmp.path, 'citadel');
    pods.start('citadel', [process.execPath, join(REPO, 'dist/apps/citadel/main.js')], {
      NATS_URL: `nats://${HUB_IP}:${ports.nats}`,
      SEXTANT_HOST: HUB_IP,
      CITADEL_GRPC_PORT: String(ports.citadelGrpc),
      SEXTANT_ADMIN_PORT: String(ports.citadelAdmin),
      SEXTANT_DATA_DIR: citadelData,
      CITADEL_ADMIN_ALLOW_REMOTE: 'true',
      CITADEL_KUBERNETES: 'off',
    });
    const adminUrl = `http://${HUB_IP}:${ports.citadelAdmin}`;
    await waitFor(() => ok(`${adminUrl}/readyz`), { timeoutMs: 30_000, what: `citadel ready\n${pods.logOf('citadel')}` });

    // STRICT for namespace default before any sidecar starts.
    sh([process.execPath, ctlMain(), 'apply', '-f', join(REPO, 'samples/bookinfo/security/peer-authentication-strict.yaml'), '--galley', `${HUB_IP}:${ports.galleyGrpc}`]);

    link = new NatsLink({ url: `nats://${HUB_IP}:${ports.nats}`, name: 'tcap-mtls-test', logger: silentLogger() });
    link.start();
    await link.ready(10_000);
    announcer = new WorkloadAnnouncer(link, silentLogger(), 2_000);
    for (const role of ['client', 'server'] as const) announcer.add({ identity: pods.identity(role), sidecar: SIDECAR, health: async () => 'HEALTHY' });
    announcer.start();
    let vip = '';
    const registry = `http://${HUB_IP}:${ports.pilotAdmin}/debug/registryz?service=${HOST}`;
    await waitFor(async () => {
      const r = (await (await fetch(registry)).json()) as { services: { addresses: string[]; endpoints: unknown[] }[] };
      vip = r.services[0]?.addresses[0] ?? '';
      return vip !== '' && r.services[0]!.endpoints.length > 0;
    }, { timeoutMs: 20_000, what: `${HOST} in Pilot's registry` });
    pods.writeHosts(vip);
    pods.startServerApp();
    for (const out of pods.installCapture()) expect(out).toContain('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
    for (const role of ['server', 'client'] as const) {
      const w = pods.identity(role);
      const issued = await requestBootstrapToken({ adminUrl, dataDir: citadelData }, { namespace: w.namespace, serviceAccount: w.serviceAccount });
      // Single-use, for the first certificate; renewals then authenticate with the certificate itself.
      pods.startSidecar(role, ports, { CITADEL_ADDRESS: `${HUB_IP}:${ports.citadelGrpc}`, SEXTANT_BOOTSTRAP_TOKEN: issued.token, PROXY_SA_TOKEN_FILE: '', PROXY_ACCESS_LOG: 'on' });
    }
    await pods.waitForSidecars();
  }, 180_000);

  afterAll(async () => {
    await announcer?.stop().catch(() => undefined);
    await link?.close().catch(() => undefined);
    await pods.stop();
  });

  it('each sidecar holds a Citadel certificate for its own service account', async () => {
    expect(await certs('client')).toMatchObject({ identity: SLEEP_ID, state: 'VALID' });
    expect(await certs('server')).toMatchObject({ identity: HELLO_ID, state: 'VALID' });
  });

  it("carries a mesh-unaware app's plain call through both sidecars over mTLS; the app sees the caller's SPIFFE ID in XFCC", async () => {
    let r = pods.curl(`http://${HOST}:${PORT}/hello`);
    // The server sidecar's STRICT config and the client's ISTIO_MUTUAL cluster arrive independently: wait until both are in.
    await waitFor(() => {
      r = pods.curl(`http://${HOST}:${PORT}/hello`);
      return r.status === 200 && ((JSON.parse(r.body) as Seen).headers['x-forwarded-client-cert'] ?? '') !== '';
    }, { timeoutMs: 20_000, intervalMs: 500, what: `an mTLS call with XFCC (last: ${r.status} ${r.body.slice(0, 300)})\n${pods.logOf('client.sidecar')}\n${pods.logOf('server.sidecar')}` });
    const seen = JSON.parse(r.body) as Seen;
    expect(seen.url).toBe('/hello');
    expect(seen.remote.replace('::ffff:', '')).toBe(IP.server);
    const xfcc = seen.headers['x-forwarded-client-cert']!;
    expect(xfcc).toContain(`By=${HELLO_ID}`);
    expect(xfcc).toMatch(/Hash=[0-9a-f]{64}/);
    expect(xfcc).toContain(`URI=${SLEEP_ID}`);
    // Both sidecars report the call as mutual TLS with the peers' principals.
    const line = (role: Role, reporter: string) => pods.stats(role).then((t) => t.split('\n').find((l) => l.startsWith('istio_requests_total{') && l.includes(`reporter="${reporter}"`) && l.includes(`destination_service="${HOST}"`)));
    await waitFor(async () => (await line('server', 'destination')) !== undefined && (await line('client', 'source')) !== undefined, { timeoutMs: 10_000, what: 'request metrics on both sidecars' });
    // (Istio: only the destination knows the connection's security policy; the source reports "unknown".)
    expect(await line('server', 'destination')).toContain('connection_security_policy="mutual_tls"');
    for (const l of [await line('server', 'destination'), await line('client', 'source')]) {
      expect(l).toContain(`source_principal="${SLEEP_ID}"`);
      expect(l).toContain(`destination_principal="${HELLO_ID}"`);
    }
  });

  it("refuses a plaintext connection straight to the server's captured port", async () => {
    // From outside both pods (the bridge): the server namespace's PREROUTING brings it to the sidecar's 15006, where STRICT has no plaintext chain.
    const log = join(tmp.path, 'server.sidecar.log');
    const from = statSync(log).size;
    const direct = pods.curl(`http://${IP.server}:${PORT}/bypass`, {}, null);
    expect(direct.status, direct.body).toBe(0);
    // curl: 52 empty reply or 56 connection reset (the sidecar closes what matches no filter chain).
    expect([52, 56], direct.stderr).toContain(direct.exit);
    expect(direct.stderr).toMatch(/reset|empty reply|Recv failure/i);
    // The server sidecar says why: the captured connection was plaintext and virtualInbound's chains for the port are mTLS only.
    await waitFor(() => logLinesSince(log, from).some((l) => l['kind'] === 'plaintext_to_tls_only' && l['listener'] === 'virtualInbound' && l['destPort'] === PORT && String(l['remote']).startsWith(`${HUB_IP}:`)), {
      timeoutMs: 5_000,
      what: `the server sidecar to log the refusal\n${pods.logOf('server.sidecar')}`,
    });
    // The app is there and would answer: only the sidecar's policy stands in the way.
    const fromInside = pods.curl(`http://127.0.0.1:${PORT}/local`, {}, pods.NS.server);
    expect(fromInside.status).toBe(200);
  });

  it("an AuthorizationPolicy AUDIT naming the caller's principal marks its requests in the server sidecar's access log, and changes no outcome", async () => {
    const file = join(tmp.path, 'audit.yaml');
    writeFileSync(
      file,
      `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: audit-admin, namespace: default }
spec:
  selector: { matchLabels: { app: hello } }
  action: AUDIT
  rules:
    - from: [{ source: { principals: [cluster.local/ns/default/sa/sleep] } }]
      to: [{ operation: { paths: ["/admin/*"] } }]
`,
    );
    sh([process.execPath, ctlMain(), 'apply', '-f', file, '--galley', `${HUB_IP}:${ports.galleyGrpc}`]);
    const log = join(tmp.path, 'server.sidecar.log');
    const accessLines = (from: number) => logLinesSince(log, from).filter((l) => l['msg'] === 'access');
    let n = 0;
    const call = (path: string) => {
      const id = `tcap-audit-${++n}`;
      return { id, r: pods.curl(`http://${HOST}:${PORT}${path}`, { 'x-request-id': id }) };
    };
    const lineOf = (from: number, id: string) => waitFor(() => accessLines(from).find((l) => l['request_id'] === id), { timeoutMs: 5_000, what: `the server sidecar's access log line of ${id}` });
    // The policy reaches the server sidecar when an /admin/ call is marked.
    let from = statSync(log).size;
    await waitFor(async () => {
      const { id, r } = call('/admin/users');
      return r.status === 200 && (await lineOf(from, id))['audit_policy'] === 'ns[default]-policy[audit-admin]-rule[0]';
    }, { timeoutMs: 20_000, intervalMs: 500, what: 'the AUDIT policy on the server sidecar' });
    from = statSync(log).size;
    const audited = call('/admin/settings');
    const plain = call('/hello');
    expect(audited.r.status).toBe(200);
    expect(plain.r.status).toBe(200);
    expect(await lineOf(from, audited.id)).toMatchObject({ response_code: 200, access_log_hint: true, audit_policy: 'ns[default]-policy[audit-admin]-rule[0]', path: '/admin/settings' });
    const unaudited = await lineOf(from, plain.id);
    expect(unaudited).toMatchObject({ response_code: 200, path: '/hello' });
    expect(unaudited).not.toHaveProperty('audit_policy');
  });
});

describe.runIf(!canRun)('transparent capture with mutual TLS (skipped)', () => {
  it('needs root, iptables, iproute2, curl, setpriv and nats-server', () => {
    expect(canRun).toBe(false);
  });
});
