// Telemetry: consumes what proxies publish (metrics, spans, access logs).
import { Counter } from '@sextant/admin';
import { SUBJECTS, type NatsConnection } from '@sextant/nats';
import { runService } from '@sextant/runtime';
import { TELEMETRY_SETTINGS } from './features';

await runService({
  name: 'telemetry',
  description: 'metrics, traces, access logs and the service graph',
  settings: TELEMETRY_SETTINGS,
  async start(ctx) {
    const received = new Counter({
      name: 'sextant_telemetry_batches_received_total',
      help: 'Telemetry batches received from proxies, by subject',
      labelNames: ['subject'],
      registers: [ctx.admin.registry],
    });
    const bytes = new Counter({
      name: 'sextant_telemetry_bytes_received_total',
      help: 'Bytes of telemetry received from proxies, by subject',
      labelNames: ['subject'],
      registers: [ctx.admin.registry],
    });
    // Subscriptions belong to a connection; subscribe again on a new one.
    let subscribedOn: NatsConnection | undefined;
    ctx.nats.onChange((connected, link) => {
      if (!connected || subscribedOn === link.nc) return;
      subscribedOn = link.nc;
      for (const subject of Object.values(SUBJECTS)) {
        link.nc.subscribe(subject, {
          callback: (err, msg) => {
            if (err) return ctx.logger.warn({ err, subject }, 'telemetry subscription error');
            received.inc({ subject });
            bytes.inc({ subject }, msg.data.length);
          },
        });
      }
      ctx.logger.info({ subjects: Object.values(SUBJECTS) }, 'subscribed to telemetry subjects');
    });
  },
});
