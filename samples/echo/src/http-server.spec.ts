import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoApp } from './echo-app';
import { h2cRequest, startTestEcho, bodyOf } from './spec-helpers';

let app: EchoApp;
let base: string;

beforeAll(async () => {
  app = await startTestEcho();
  base = `http://127.0.0.1:${app.port('HTTP')}`;
});
afterAll(() => app.close(0));

describe('HTTP/1.1', () => {
  it('answers JSON with identity, request line, headers and body, and identity headers', async () => {
    const res = await fetch(`${base}/some/path?x=1&y=two`, {
      method: 'POST',
      headers: { 'x-custom': 'hello', 'content-type': 'text/plain' },
      body: 'the body',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-echo-service')).toBe('echo');
    expect(res.headers.get('x-echo-version')).toBe('v1');
    expect(res.headers.get('x-echo-instance')).toBe('echo-v1-0');
    const json = await bodyOf(res);
    expect(json).toMatchObject({
      service: 'echo',
      version: 'v1',
      instance: 'echo-v1-0',
      method: 'POST',
      path: '/some/path?x=1&y=two',
      protocol: 'HTTP/1.1',
      body: 'the body',
      port: app.port('HTTP'),
    });
    expect(json.headers['x-custom']).toBe('hello');
    expect(json.headers.host).toBe(`127.0.0.1:${app.port('HTTP')}`);
  });

  it('reduces an absolute-form request target (as a proxy sends it) to path and query', async () => {
    const socket = net.connect(app.port('HTTP'), '127.0.0.1');
    socket.end('GET http://echo.default:8080/abs?k=v HTTP/1.1\r\nHost: echo.default:8080\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    for await (const c of socket) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/^HTTP\/1.1 200/);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).path).toBe('/abs?k=v');
  });

  it('serves /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('also serves HTTP/1.1 on an HTTP2 port', async () => {
    const res = await fetch(`http://127.0.0.1:${app.port('HTTP2')}/one`);
    expect((await bodyOf(res)).protocol).toBe('HTTP/1.1');
  });
});

describe('h2c with prior knowledge on the same ports', () => {
  it('answers HTTP/2 on the HTTP port', async () => {
    const r = await h2cRequest(app.port('HTTP'), '/h2?q=1', { 'x-custom': 'over-h2' }, 'h2 body');
    expect(r.status).toBe(200);
    expect(r.headers['x-echo-instance']).toBe('echo-v1-0');
    const json = JSON.parse(r.body);
    expect(json).toMatchObject({ protocol: 'HTTP/2', method: 'POST', path: '/h2?q=1', body: 'h2 body', service: 'echo' });
    expect(json.headers['x-custom']).toBe('over-h2');
  });

  it('answers HTTP/2 on the HTTP2 port, with control headers', async () => {
    const r = await h2cRequest(app.port('HTTP2'), '/x', { 'x-echo-status': '418' });
    expect(r.status).toBe(418);
    expect(JSON.parse(r.body).protocol).toBe('HTTP/2');
  });

  it('copes with the preface arriving in pieces', async () => {
    const socket = net.connect(app.port('HTTP'), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('PRI * HTTP');
    await new Promise((r) => setTimeout(r, 30));
    socket.write('/2.0\r\n\r\nSM\r\n\r\n');
    // An empty SETTINGS frame: the server must answer with its own SETTINGS frame (type 4).
    socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
    const first = await new Promise<Buffer>((r) => socket.once('data', r));
    expect(first[3]).toBe(4);
    socket.destroy();
  });
});

describe('control headers', () => {
  it('x-echo-status answers with that status', async () => {
    const res = await fetch(`${base}/`, { headers: { 'x-echo-status': '503' } });
    expect(res.status).toBe(503);
    expect((await bodyOf(res)).service).toBe('echo');
  });

  it('x-echo-status 204 answers without a body', async () => {
    const res = await fetch(`${base}/`, { headers: { 'x-echo-status': '204' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('content-length')).toBeNull();
    expect(await res.text()).toBe('');
  });

  it('x-echo-delay-ms waits at least that long', async () => {
    const t0 = performance.now();
    const res = await fetch(`${base}/`, { headers: { 'x-echo-delay-ms': '200' } });
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
  });

  it('x-echo-body-bytes pads the JSON with spaces to exactly that size when it fits', async () => {
    const res = await fetch(`${base}/`, { headers: { 'x-echo-body-bytes': '4096' } });
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.length).toBe(4096);
    expect(res.headers.get('content-length')).toBe('4096');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(buf.toString()).service).toBe('echo');
  });

  it('x-echo-body-bytes smaller than the JSON gives exactly that many filler bytes', async () => {
    const res = await fetch(`${base}/`, { headers: { 'x-echo-body-bytes': '10' } });
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('..........');
    const empty = await fetch(`${base}/`, { headers: { 'x-echo-body-bytes': '0' } });
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('x-echo-fail-first fails the first N requests with an id, then succeeds, and counts per id', async () => {
    const headers = { 'x-echo-fail-first': '2', 'x-echo-id': 'ff-1' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${base}/`, { headers })).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    // Another id starts its own count.
    expect((await fetch(`${base}/`, { headers: { ...headers, 'x-echo-id': 'ff-2' } })).status).toBe(503);
    const stats = await bodyOf(await fetch(`${base}/_echo/stats`));
    expect(stats.byId['ff-1'].total).toBe(4);
    expect(stats.byId['ff-2'].total).toBe(1);
    expect(stats.instance).toBe('echo-v1-0');
  });

  it('stats prove a POST ran exactly once, and DELETE resets them', async () => {
    await fetch(`${base}/orders`, { method: 'POST', headers: { 'x-echo-id': 'order-7' }, body: '{}' });
    const stats = await bodyOf(await fetch(`${base}/_echo/stats`));
    expect(stats.byId['order-7']).toEqual({ total: 1, byMethod: { POST: 1 }, byProtocol: { 'HTTP/1.1': 1 } });
    expect(stats.total).toBeGreaterThan(0);
    await fetch(`${base}/_echo/stats`, { method: 'DELETE' });
    const after = await bodyOf(await fetch(`${base}/_echo/stats`));
    expect(after.total).toBe(0);
    expect(after.byId).toEqual({});
  });

  it.each([
    ['x-echo-status', 'banana', /x-echo-status.*"banana".*integer from 200 to 599/],
    ['x-echo-status', '99', /x-echo-status/],
    ['x-echo-delay-ms', '-5', /x-echo-delay-ms/],
    ['x-echo-delay-ms', '1.5', /x-echo-delay-ms/],
    ['x-echo-body-bytes', 'lots', /x-echo-body-bytes/],
    ['x-echo-fail-first', '2', /x-echo-fail-first needs an x-echo-id/],
    ['x-echo-call', 'not a url', /x-echo-call.*absolute http/],
    ['x-echo-call', 'ftp://x/y', /only http/],
  ])('%s: %s gives 400 with a clear message', async (name, value, message) => {
    const res = await fetch(`${base}/`, { headers: { [name]: value } });
    expect(res.status).toBe(400);
    const json = await bodyOf(res);
    expect(json.error).toMatch(message);
    // The server is still fine afterwards.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('shutdown', () => {
  it('finishes in-flight requests, then refuses new connections', async () => {
    const other = await startTestEcho({ instance: 'echo-v1-drain', ports: [{ name: 'http', port: 0, protocol: 'HTTP' }] });
    const url = `http://127.0.0.1:${other.port('HTTP')}/slow`;
    const inflight = fetch(url, { headers: { 'x-echo-delay-ms': '300' } });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await other.close(3000);
    const res = await inflight;
    expect(res.status).toBe(200);
    expect((await bodyOf(res)).path).toBe('/slow');
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('lets an in-flight HTTP/2 stream finish', async () => {
    const other = await startTestEcho({ instance: 'echo-v1-drain2', ports: [{ name: 'http', port: 0, protocol: 'HTTP' }] });
    const inflight = h2cRequest(other.port('HTTP'), '/slow-h2', { 'x-echo-delay-ms': '300' });
    await new Promise((r) => setTimeout(r, 50));
    await other.close(3000);
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ path: '/slow-h2', protocol: 'HTTP/2' });
  });
});
