// CONNECT tunnels through the explicit outbound proxy, with real sockets:
// bytes sent at once after (or together with) the CONNECT head all arrive,
// a mesh TCP service is reached by name through its listener on the
// service address (Istio's TCP listeners are per service address), and a
// half-close inside the tunnel still gets the answer.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { hostNamesService } from './explicit-proxy';
import { FakeConfigSource, freePorts, listener, startTcpEcho, staticCluster, tcpProxy, testDataplane } from './testing';

const VIP = '240.240.0.7';
const CLUSTER = 'outbound|9000||tcp-echo.default.svc.cluster.local';
let dp: Dataplane;
let echo: { port: number; close(): Promise<void> };
let outPort: number;

beforeAll(async () => {
  echo = await startTcpEcho('one');
  [outPort] = (await freePorts(1)) as [number];
  dp = testDataplane({ portMap: { 15001: outPort } });
  await dp.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster(CLUSTER, [echo.port]), { name: 'PassthroughCluster', type: 'ORIGINAL_DST', lbPolicy: 'CLUSTER_PROVIDED', connectTimeout: { seconds: 1 } })
      .set(
        'listener',
        listener('virtualOutbound', 15001, [{ filters: [tcpProxy('PassthroughCluster')] }], { useOriginalDst: { value: true }, trafficDirection: 'OUTBOUND' }),
        listener(`${VIP}_9000`, 9000, [{ filters: [tcpProxy(CLUSTER)] }], { bindToPort: { value: false }, address: { socketAddress: { address: VIP, portValue: 9000 } }, trafficDirection: 'OUTBOUND' }),
      )
      .snapshot(),
  );
});
afterAll(async () => {
  dp.close();
  await echo.close();
});

/** Opens a tunnel and sends `payload` in the same write as the CONNECT head, or at once after the 200; optionally half-closes. */
function tunnel(target: string, payload: string, o: { sameWrite?: boolean; halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port: outPort, host: '127.0.0.1', allowHalfOpen: true });
    const head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;
    let got = '';
    let sent = false;
    const send = () => {
      sent = true;
      if (o.halfClose) s.end(payload);
      else s.write(payload);
    };
    s.on('connect', () => {
      if (o.sameWrite) {
        sent = true;
        s.write(head + payload);
        if (o.halfClose) s.end();
      } else s.write(head);
    });
    s.on('data', (d: Buffer) => {
      got += d;
      if (!sent && got.includes('\r\n\r\n')) send();
      if (got.endsWith(payload)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
    setTimeout(() => {
      s.destroy();
      resolve(got);
    }, 3_000);
  });
}

const OK = (payload: string) => `HTTP/1.1 200 Connection Established\r\n\r\none:${payload}`;

describe('CONNECT through the explicit proxy', () => {
  it('bytes sent at once after the 200 all arrive, in every tunnel', async () => {
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => tunnel(`${VIP}:9000`, `hello ${i}\n`)));
    expect(rs).toEqual(Array.from({ length: 30 }, (_, i) => OK(`hello ${i}\n`)));
  });

  it('bytes in the same write as the CONNECT head are tunnelled too', async () => {
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => tunnel(`${VIP}:9000`, `same ${i}\n`, { sameWrite: true })));
    expect(rs).toEqual(Array.from({ length: 10 }, (_, i) => OK(`same ${i}\n`)));
  });

  it('reaches a mesh TCP service by name (short, namespaced and full names) through its service-address listener', async () => {
    for (const name of ['tcp-echo', 'tcp-echo.default', 'tcp-echo.default.svc', 'tcp-echo.default.svc.cluster.local']) {
      expect(await tunnel(`${name}:9000`, `by ${name}\n`)).toBe(OK(`by ${name}\n`));
    }
    // Another namespace's short name is not this service: the passthrough gets it and cannot resolve it.
    expect(await tunnel('tcp-echo.other:9000', 'nope\n')).not.toContain('one:nope');
  });

  it('a client that half-closes inside the tunnel gets the answer', async () => {
    expect(await tunnel('tcp-echo:9000', 'bye\n', { halfClose: true })).toBe(OK('bye\n'));
    expect(await tunnel(`${VIP}:9000`, 'bye2\n', { sameWrite: true, halfClose: true })).toBe(OK('bye2\n'));
  });
});

describe('service names (Kubernetes DNS search from the proxy namespace)', () => {
  it('matches name, name.ns, name.ns.svc and the FQDN; not other namespaces', () => {
    const fqdn = 'tcp-echo.default.svc.cluster.local';
    for (const h of ['tcp-echo', 'TCP-ECHO', 'tcp-echo.default', 'tcp-echo.default.svc', fqdn, `${fqdn}.`]) expect(hostNamesService(h, fqdn, 'default')).toBe(true);
    for (const h of ['tcp', 'tcp-echo.other', 'tcp-echo.default.svc.other', 'echo']) expect(hostNamesService(h, fqdn, 'default')).toBe(false);
    expect(hostNamesService('tcp-echo', fqdn, 'other')).toBe(false);
  });
});
