// Refused connections are logged at info with their reason and peer, rate
// limited per kind: the limiter on its own (a fake clock), then through a
// real proxy with a STRICT mTLS port (no client certificate, a certificate
// from another CA, plaintext).
import net from 'node:net';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger, waitFor } from '@sextant/util';
import type { Dataplane } from './dataplane';
import { LogLimiter, refusalKind } from './log-limiter';
import { FakeConfigSource, freePorts, hcm, listener, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';
import { createTestCa, inboundChains, issueLeaf, meshSecrets, spiffe, type TestCa } from './tls-testing';

function memoryLogger(): { log: ReturnType<typeof createRootLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: createRootLogger({ name: 'test', level: 'info', destination, pretty: false }), lines };
}

describe('LogLimiter', () => {
  it('writes at most N lines per kind per second, then reports how many it suppressed', () => {
    let t = 0;
    const limiter = new LogLimiter(2, () => t);
    const { log, lines } = memoryLogger();
    const results = [1, 2, 3, 4].map((i) => limiter.info(log, 'a', { i }, 'refused'));
    expect(results).toEqual([true, true, false, false]);
    expect(limiter.info(log, 'b', {}, 'other kind')).toBe(true);
    t = 1_000;
    expect(limiter.info(log, 'a', { i: 5 }, 'refused')).toBe(true);
    return waitFor(() => lines.length === 4, { timeoutMs: 2_000, intervalMs: 10, what: 'four log lines' }).then(() => {
      expect(lines.map((l) => [l['kind'], l['i'], l['suppressed'], l['level']])).toEqual([
        ['a', 1, undefined, 30],
        ['a', 2, undefined, 30],
        ['b', undefined, undefined, 30],
        ['a', 5, 2, 30],
      ]);
    });
  });

  it('classifies refusal reasons', () => {
    expect(refusalKind('peer did not return a certificate')).toBe('no_client_certificate');
    expect(refusalKind('peer certificate not trusted (CERT_HAS_EXPIRED)')).toBe('certificate_expired');
    expect(refusalKind('peer certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)')).toBe('untrusted_certificate');
    expect(refusalKind('peer certificate SANs [x] match none of the configured subject alt names')).toBe('san_mismatch');
    expect(refusalKind('TLS handshake timeout')).toBe('handshake_timeout');
  });
});

describe('refusals on a STRICT port, through a real proxy', () => {
  let ca: TestCa;
  let dp: Dataplane;
  let app: Upstream;
  let port: number;
  const mem = memoryLogger();

  beforeAll(async () => {
    ca = createTestCa();
    app = await startUpstream('app');
    [port] = (await freePorts(1)) as [number];
    dp = testDataplane({ secrets: meshSecrets(ca, issueLeaf(ca, { uris: [spiffe('default', 'echo')] })), logger: mem.log });
    const routes = { inline: routeConfig('in', [vhost(['*'], [route('/', { cluster: 'app' })])]) };
    await dp.apply(new FakeConfigSource().set('cluster', staticCluster('app', [app.port])).set('listener', listener('strict', port, inboundChains(port, 'STRICT', [hcm(routes)], 'http'), { trafficDirection: 'INBOUND' })).snapshot());
  });
  afterAll(async () => {
    dp.close();
    await app.close();
  });

  const tlsAttempt = (opts: tls.ConnectionOptions) =>
    new Promise<void>((done) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['istio-http/1.1'], ...opts });
      s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
      s.on('error', () => done());
      s.on('close', () => done());
    });

  it('logs each refused handshake at info with the reason and the peer address', async () => {
    const other = createTestCa('Attacker CA');
    const foreign = issueLeaf(other, { uris: [spiffe('default', 'sleep')] });
    await tlsAttempt({});
    await tlsAttempt({ cert: foreign.certPem, key: foreign.keyPem });
    const refused = () => mem.lines.filter((l) => l['msg'] === 'TLS handshake failed');
    await waitFor(() => refused().length >= 2, { timeoutMs: 5_000, intervalMs: 20, what: 'two refusals logged' });
    const kinds = refused().map((l) => l['kind']);
    expect(kinds).toContain('no_client_certificate');
    expect(kinds).toContain('untrusted_certificate');
    for (const l of refused()) {
      expect(l['level']).toBe(30);
      expect(String(l['remote'])).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(String(l['err']).length).toBeGreaterThan(0);
    }
    expect(dp.tls.stats.downstream_fail_verify_no_cert).toBeGreaterThanOrEqual(1);
    expect(dp.tls.stats.downstream_fail_verify_error).toBeGreaterThanOrEqual(1);
  });

  it('logs plaintext to the TLS-only port, at most 5 lines a second however many connections come', async () => {
    const plain = () =>
      new Promise<void>((done) => {
        const s = net.connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
        s.on('error', () => done());
        s.on('close', () => done());
      });
    const start = Date.now();
    await Promise.all(Array.from({ length: 20 }, plain));
    const elapsed = Date.now() - start;
    const lines = () => mem.lines.filter((l) => l['kind'] === 'plaintext_to_tls_only');
    await waitFor(() => lines().length >= 1, { timeoutMs: 3_000, intervalMs: 20, what: 'a plaintext refusal logged' });
    // 20 refusals in well under two seconds on an idle machine; allow a window boundary either way.
    expect(lines().length).toBeLessThanOrEqual(5 * (Math.ceil(elapsed / 1_000) + 1));
    expect(lines().length).toBeLessThan(20);
    expect(lines()[0]!['level']).toBe(30);
  });
});
