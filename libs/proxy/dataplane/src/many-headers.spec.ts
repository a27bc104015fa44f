// Heads with more than 32 header fields: llhttp hands them (and a request's
// URL) over in batches, and the proxy must put them back together on both
// sides; over Envoy's max_headers_count (100) a request gets 431.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, httpListener, request, route, routeConfig, startUpstream, staticCluster, testDataplane, vhost, type Upstream } from './testing';

let dp: Dataplane;
let echo: Upstream;
let wide: http.Server;
let port: number;

function numbered(prefix: string, n: number): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i < n; i++) h[`${prefix}-${i}`] = `value-${i}-${'v'.repeat(i % 7)}`;
  return h;
}

/** Sends `host`, `connection: close` and n numbered header fields; resolves with all bytes until the proxy closes. */
function rawRequest(path: string, n: number): Promise<string> {
  let head = `GET ${path} HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n`;
  for (const [k, v] of Object.entries(numbered('x-h', n))) head += `${k}: ${v}\r\n`;
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${head}\r\n`));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

beforeAll(async () => {
  echo = await startUpstream('echo');
  // An upstream whose responses carry 60 header fields.
  wide = http.createServer((_req, res) => {
    res.writeHead(200, { ...numbered('x-resp', 60), 'content-type': 'text/plain' });
    res.end('wide body');
  });
  await new Promise<void>((r) => wide.listen(0, '127.0.0.1', r));
  [port] = (await freePorts(1)) as [number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('echo', [echo.port]), staticCluster('wide', [(wide.address() as net.AddressInfo).port]))
    .set('route', routeConfig('r', [vhost(['*'], [route('/wide', { cluster: 'wide' }), route('/', { cluster: 'echo' })])]))
    .set('listener', httpListener('l', port, { rds: 'r' }));
  dp = testDataplane();
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await echo.close();
  await new Promise<void>((r) => wide.close(() => r()));
});

describe('heads with many header fields', () => {
  it('passes an upstream response with 60 header fields through intact', async () => {
    for (let i = 0; i < 2; i++) {
      // Twice: the second response reuses the pooled upstream connection (no stale batch left behind).
      const r = await request(port, '/wide');
      expect(r.status).toBe(200);
      expect(r.body).toBe('wide body');
      for (const [k, v] of Object.entries(numbered('x-resp', 60))) expect(r.headers[k], k).toBe(v);
      expect(r.headers['content-type']).toBe('text/plain');
    }
  });

  it('delivers a request with 60 header fields and a long URL intact to the app', async () => {
    const path = `/long/${'p'.repeat(3000)}?q=${'z'.repeat(1000)}`;
    const sent = numbered('x-req', 60);
    for (let i = 0; i < 2; i++) {
      const r = await request(port, path, { headers: sent });
      expect(r.status).toBe(200);
      const seen = r.json<{ url: string; headers: Record<string, string> }>();
      expect(seen.url).toBe(path);
      for (const [k, v] of Object.entries(sent)) expect(seen.headers[k], k).toBe(v);
      expect(seen.headers.host).toBe('svc');
    }
    // A short request after a batched one on the same proxy still routes normally.
    const plain = await request(port, '/after');
    expect(plain.json()).toMatchObject({ url: '/after' });
  });

  it('accepts 100 request header fields and answers 431 to 101', async () => {
    const ok = await rawRequest('/hundred', 98); // + host, connection = 100
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    expect(ok).toContain('"url":"/hundred"');
    const before = echo.total;
    const refused = await rawRequest('/too-many', 99); // + host, connection = 101
    expect(refused).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    expect(echo.total).toBe(before); // never reached the app
  });
});
