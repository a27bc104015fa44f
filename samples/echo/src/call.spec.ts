import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EchoApp } from './echo-app';
import { startTestEcho, bodyOf } from './spec-helpers';

const HTTP_ONLY = [{ name: 'http', port: 0, protocol: 'HTTP' as const }];
let a: EchoApp;
let b: EchoApp;
let closedPort: number;

beforeAll(async () => {
  b = await startTestEcho({ service: 'echo-b', instance: 'echo-b-v2-0', version: 'v2', ports: HTTP_ONLY });
  const spare = net.createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  closedPort = (spare.address() as net.AddressInfo).port;
  await new Promise((r) => spare.close(r));
  const bAddr = `127.0.0.1:${b.port('HTTP')}`;
  a = await startTestEcho(
    { service: 'echo-a', instance: 'echo-a-v1-0', ports: HTTP_ONLY },
    {
      SEXTANT_SERVICES: JSON.stringify({
        'echo-b': [bAddr],
        'echo-b.default.svc.cluster.local': [bAddr],
        gone: [`127.0.0.1:${closedPort}`],
      }),
    },
  );
});
afterAll(async () => {
  await a.close(0);
  await b.close(0);
});

describe('x-echo-call', () => {
  it('calls the other service by name through the mesh client, forwarding tracing headers', async () => {
    const res = await fetch(`http://127.0.0.1:${a.port('HTTP')}/front`, {
      headers: {
        'x-echo-call': `http://echo-b:${b.port('HTTP')}/back?z=1`,
        'x-request-id': 'req-42',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'end-user': 'jason',
        'x-not-propagated': 'stay-here',
      },
    });
    expect(res.status).toBe(200);
    const json = await bodyOf(res);
    expect(json.instance).toBe('echo-a-v1-0');
    expect(json.call.status).toBe(200);
    expect(json.call.headers['x-echo-instance']).toBe('echo-b-v2-0');
    const inner = json.call.body;
    expect(inner).toMatchObject({ service: 'echo-b', version: 'v2', path: '/back?z=1', protocol: 'HTTP/1.1' });
    expect(inner.headers['x-request-id']).toBe('req-42');
    expect(inner.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(inner.headers['end-user']).toBe('jason');
    expect(inner.headers['x-not-propagated']).toBeUndefined();
    // Control headers are for this hop only.
    expect(inner.headers['x-echo-call']).toBeUndefined();
  });

  it('reports an unreachable callee under call.error with a 502', async () => {
    const res = await fetch(`http://127.0.0.1:${a.port('HTTP')}/`, { headers: { 'x-echo-call': `http://gone:${closedPort}/` } });
    expect(res.status).toBe(502);
    const json = await bodyOf(res);
    expect(json.call.url).toBe(`http://gone:${closedPort}/`);
    expect(json.call.error).toMatch(/ECONNREFUSED/);
  });
});
