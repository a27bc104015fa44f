import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@sextant/util';
import { AdminServer, Counter } from './index';

let admin: AdminServer | undefined;
afterEach(async () => admin?.close());

describe('AdminServer', () => {
  it('serves health, readiness with named checks, metrics and the debug list', async () => {
    admin = new AdminServer({ component: 'test', logger: silentLogger() });
    let natsUp = false;
    admin.addReadinessCheck('nats', () => ({ ready: natsUp, detail: natsUp ? 'connected' : 'not connected' }));
    admin.registerDebugHandler('syncz', 'per-proxy sync state', async () => ({ proxies: [] }));
    new Counter({ name: 'sextant_test_total', help: 'test counter', registers: [admin.registry] }).inc(3);
    const { port } = await admin.listen('127.0.0.1', 0);
    const base = `http://127.0.0.1:${port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    let ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, checks: { nats: { ready: false, detail: 'not connected' } } });
    natsUp = true;
    ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('sextant_test_total{component="test"} 3');
    expect(metrics).toContain('process_resident_memory_bytes');

    expect(await (await fetch(`${base}/debug`)).json()).toMatchObject({
      handlers: [{ path: '/debug/syncz', help: 'per-proxy sync state' }],
    });
    expect(await (await fetch(`${base}/debug/syncz`)).json()).toEqual({ proxies: [] });
  });
});
