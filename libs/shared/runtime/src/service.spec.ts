import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineSettings, freePort, spawnNatsServer, SettingsError } from '@sextant/util';
import { runService } from './service';

const SETTINGS = defineSettings({ greeting: { kind: 'string', env: 'T_GREETING', flag: 'greeting', default: 'hello', description: 'greeting' } });

describe('runService (embedded)', () => {
  it('loads settings, becomes ready with NATS and its own checks, and runs shutdown hooks in reverse', async () => {
    const nats = await spawnNatsServer({ dataDir: mkdtempSync(join(tmpdir(), 'rt-')) });
    const adminPort = await freePort();
    const order: string[] = [];
    let seen = '';
    const running = await runService(
      {
        name: 'demo',
        description: 'demo service',
        settings: SETTINGS,
        async start(ctx) {
          seen = ctx.settings.greeting;
          ctx.setReady('cache', false, 'warming');
          ctx.onShutdown(() => void order.push('first registered'));
          ctx.onShutdown(() => void order.push('last registered'));
          setTimeout(() => ctx.setReady('cache', true), 200);
        },
      },
      { embedded: true, argv: ['--greeting', 'hi', '--log-level', 'silent'], env: { NATS_URL: nats.url, SEXTANT_ADMIN_PORT: String(adminPort) } },
    );
    expect(seen).toBe('hi');
    const base = `http://127.0.0.1:${adminPort}`;
    let body: { ready: boolean; checks: Record<string, { ready: boolean }> } = { ready: false, checks: {} };
    for (let i = 0; i < 50 && !body.ready; i++) {
      body = (await (await fetch(`${base}/readyz`)).json()) as typeof body;
      if (!body.ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toMatchObject({ ready: true, checks: { nats: { ready: true }, cache: { ready: true } } });
    await running.stop();
    expect(order).toEqual(['last registered', 'first registered']);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    await nats.stop();
  });

  it('throws a SettingsError naming the setting when embedded', async () => {
    await expect(
      runService({ name: 'demo', description: '', settings: SETTINGS, start: async () => undefined }, { embedded: true, argv: ['--admin-port', 'x'], env: {} }),
    ).rejects.toThrow(SettingsError);
  });
});
