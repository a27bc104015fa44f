// TCP half-close through real sockets (Istio's tcp-echo task with `nc`): a
// client that sends and then shuts its write side still gets the answer,
// directly at a TCP listener and across an mTLS hop between two sidecars
// (PERMISSIVE inbound TCP port); a server's early FIN reaches the client
// while the client can still send; both sides finished closes the connection.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, listener, staticCluster, tcpProxy, testDataplane, SELF } from './testing';
import { autoMtlsMatches, createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, tlsModeMetadata } from './tls-testing';

const SERVER_ID = spiffe('default', 'server');
let inbound: Dataplane;
let outbound: Dataplane;
const servers: net.Server[] = [];
/** What the "greeter" app received before the client's FIN. */
const greeterGot: string[] = [];
const P = { answer: 0, greet: 0, inTcp: 0, out: 0 };

/** Answers once the client has finished sending (reads to EOF), then closes: like tcp-echo with `nc`. */
async function answerAtEof(): Promise<number> {
  const s = net.createServer({ allowHalfOpen: true }, (c) => {
    let got = '';
    c.on('data', (d: Buffer) => (got += d));
    c.on('end', () => c.end(`answer:${got}`));
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}

/** Greets, sends its FIN at once, and keeps reading what the client still sends. */
async function greetAndFin(): Promise<number> {
  const s = net.createServer({ allowHalfOpen: true }, (c) => {
    let got = '';
    c.end('hello, and goodbye\n');
    c.on('data', (d: Buffer) => (got += d));
    c.on('end', () => greeterGot.push(got));
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return (s.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const ca = createTestCa();
  const answer = await answerAtEof();
  const greet = await greetAndFin();
  [P.answer, P.greet, P.inTcp, P.out] = (await freePorts(4)) as [number, number, number, number];
  inbound = testDataplane({ self: { ...SELF, serviceAccount: 'server' }, secrets: meshSecrets(ca, issueLeaf(ca, { uris: [SERVER_ID] })) });
  await inbound.apply(
    new FakeConfigSource()
      .set('cluster', staticCluster('answer', [answer]), staticCluster('greet', [greet]))
      .set(
        'listener',
        listener('answer', P.answer, [{ filters: [tcpProxy('answer')] }]),
        listener('greet', P.greet, [{ filters: [tcpProxy('greet')] }]),
        listener('inbound-tcp', P.inTcp, inboundChains(P.inTcp, 'PERMISSIVE', [tcpProxy('answer')], 'tcp'), { listenerFilters: [{ name: 'envoy.filters.listener.tls_inspector' }] }),
      )
      .snapshot(),
  );
  outbound = testDataplane({ self: { ...SELF, serviceAccount: 'client' }, secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'client')] })) });
  const mtls = staticCluster('mtls-tcp', [P.inTcp], { transportSocketMatches: autoMtlsMatches('outbound_.9000_._.server.default.svc.cluster.local', [SERVER_ID], false) }) as { loadAssignment: { endpoints: { lbEndpoints: object[] }[] } };
  Object.assign(mtls.loadAssignment.endpoints[0]!.lbEndpoints[0]!, tlsModeMetadata('istio'));
  await outbound.apply(new FakeConfigSource().set('cluster', mtls).set('listener', listener('out-tcp', P.out, [{ filters: [tcpProxy('mtls-tcp')] }])).snapshot());
}, 30_000);

afterAll(() => {
  outbound?.close();
  inbound?.close();
  for (const s of servers) s.close();
});

/** Sends `data`, half-closes, and collects everything until the proxy's FIN; also reports whether the socket closed. */
function sendAndShut(port: number, data: string, sendAfterConnectMs = 0): Promise<{ got: string; ended: boolean; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    let ended = false;
    s.on('connect', () => setTimeout(() => s.end(data), sendAfterConnectMs));
    s.on('data', (d: Buffer) => (got += d));
    s.on('end', () => (ended = true));
    s.on('close', () => resolve({ got, ended, closed: true }));
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      resolve({ got, ended, closed: false });
    }, 4_000);
  });
}

describe('TCP half-close', () => {
  it('a client that sends and then half-closes gets the answer, and the connection then closes', async () => {
    expect(await sendAndShut(P.answer, 'bye\n')).toEqual({ got: 'answer:bye\n', ended: true, closed: true });
    // The FIN before the proxy has even connected upstream (sent at once with the bytes).
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => sendAndShut(P.answer, `n${i}\n`)));
    expect(many.map((r) => r.got)).toEqual(Array.from({ length: 10 }, (_, i) => `answer:n${i}\n`));
  });

  it('a server that sends its FIN first still receives what the client sends afterwards', async () => {
    const r = await new Promise<{ got: string; ended: boolean }>((resolve, reject) => {
      const s = net.connect({ port: P.greet, host: '127.0.0.1', allowHalfOpen: true });
      let got = '';
      s.on('data', (d: Buffer) => (got += d));
      s.on('end', () => {
        // The server has finished; our side is still open and its bytes still arrive.
        s.end('late words\n');
      });
      s.on('close', () => resolve({ got, ended: true }));
      s.on('error', reject);
    });
    expect(r.got).toBe('hello, and goodbye\n');
    for (let i = 0; i < 100 && greeterGot.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(greeterGot).toEqual(['late words\n']);
  });

  it('is relayed across an mTLS hop to a PERMISSIVE inbound TCP port, each way', async () => {
    expect(await sendAndShut(P.out, 'through mtls\n', 50)).toEqual({ got: 'answer:through mtls\n', ended: true, closed: true });
    // Plaintext to the same PERMISSIVE port (a client without a sidecar).
    expect(await sendAndShut(P.inTcp, 'plain\n')).toEqual({ got: 'answer:plain\n', ended: true, closed: true });
  });
});
