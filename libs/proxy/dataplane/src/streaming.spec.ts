import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataplane } from './dataplane';
import { FakeConfigSource, freePorts, httpListener, route, routeConfig, staticCluster, testDataplane, vhost } from './testing';

// Bodies larger than the retry buffer, both ways, with slow readers: the
// proxy streams them (chunked when the length is unknown) and applies
// backpressure instead of buffering everything.
let dp: Dataplane;
let upstream: http.Server;
let port: number;
const MB = 1024 * 1024;
/** How often the upstream had to wait for the proxy to take more. */
let drainWaits = 0;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    if (req.url === '/upload') {
      const hash = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        n += c.length;
      });
      req.on('end', () => res.end(JSON.stringify({ bytes: n, sha: hash.digest('hex'), te: req.headers['transfer-encoding'] ?? null })));
      return;
    }
    // /download?mb=N: N MiB without content-length (chunked).
    const mb = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('mb') ?? 1);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const pump = () => {
      while (sent < mb * MB) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          drainWaits++;
          return res.once('drain', pump);
        }
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  [port] = (await freePorts(1)) as [number];
  const src = new FakeConfigSource()
    .set('cluster', staticCluster('c', [(upstream.address() as AddressInfo).port]))
    .set('route', routeConfig('r', [vhost(['*'], [route('/', { cluster: 'c' })])]))
    .set('listener', httpListener('l', port, { rds: 'r' }));
  dp = testDataplane();
  await dp.apply(src.snapshot());
});
afterAll(async () => {
  dp.close();
  await new Promise((r) => upstream.close(r));
});

describe('streaming', () => {
  it('streams a chunked 8 MiB upload intact', async () => {
    const hash = createHash('sha256');
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/upload', method: 'POST', headers: { host: 'svc', 'transfer-encoding': 'chunked' } }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      let i = 0;
      const write = () => {
        while (i < 128) {
          const c = Buffer.alloc(64 * 1024, i % 256);
          hash.update(c);
          i++;
          if (!req.write(c)) return req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    expect(JSON.parse(body)).toEqual({ bytes: 8 * MB, sha: hash.digest('hex'), te: 'chunked' });
  });

  it('streams a 16 MiB chunked download to a slow reader, pushing back on the upstream', async () => {
    drainWaits = 0;
    let got = 0;
    let maxQueued = 0;
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/download?mb=16', headers: { host: 'svc' } }, (res) => {
          expect(res.headers['transfer-encoding']).toBe('chunked');
          res.on('data', (d: Buffer) => {
            got += d.length;
            // A slow reader: pause now and then.
            if (got % (2 * MB) < d.length) {
              res.pause();
              setTimeout(() => {
                for (const c of dp.listeners.http1) maxQueued = Math.max(maxQueued, c.socket.writableLength);
                res.resume();
              }, 60);
            }
          });
          res.on('end', () => resolve());
          res.on('error', reject);
        })
        .on('error', reject);
    });
    expect(got).toBe(16 * MB);
    // Had the proxy buffered the body, the upstream would never have waited,
    // and the proxy's socket to the client would have queued megabytes.
    expect(drainWaits).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThan(2 * MB);
  });
});
