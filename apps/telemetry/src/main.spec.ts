import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBJECTS } from '@sextant/nats';
import { waitFor } from '@sextant/util';
import { bootService, expectBadSettingRefused, expectCleanShutdown, expectReadyFollowsNats, type BootedService } from '@sextant/testing';

let svc: BootedService;
beforeAll(async () => {
  svc = await bootService('telemetry', 'apps/telemetry', { traces: 'TELEMETRY_TRACES_PORT', dashboard: 'TELEMETRY_DASHBOARD_PORT' });
}, 60_000);
afterAll(async () => svc?.cleanup());

const metric = async (subject: string) => {
  const text = await (await fetch(`${svc.admin}/metrics`)).text();
  const m = new RegExp(`sextant_telemetry_batches_received_total\\{subject="${subject.replace(/\./g, '\\.')}",component="telemetry"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
};

describe('telemetry process', () => {
  it('is healthy, and ready only while NATS is connected', async () => {
    await expectReadyFollowsNats(svc, 'telemetry');
  });

  it('counts the batches proxies publish on the telemetry subjects (also after a NATS restart)', async () => {
    const nc = await connect({ servers: svc.nats.url });
    for (let i = 0; i < 3; i++) nc.publish(SUBJECTS.spans, new TextEncoder().encode('{"v":1,"spans":[]}'));
    nc.publish(SUBJECTS.metrics, new TextEncoder().encode('{"v":1}'));
    await nc.flush();
    await waitFor(async () => (await metric(SUBJECTS.spans)) === 3 && (await metric(SUBJECTS.metrics)) === 1, { timeoutMs: 5_000, what: 'counters' });
    await nc.close();
  });

  it('refuses a bad setting with its name and reason', async () => {
    await expectBadSettingRefused('apps/telemetry', ['--log-level', 'loud'], /invalid setting logLevel .*"loud" is not one of trace, debug/);
  });

  it('exits 0 on SIGTERM within 10 s', async () => {
    await expectCleanShutdown(svc);
    expect(await metric(SUBJECTS.logs).catch(() => -1)).toBe(-1);
  });
});
