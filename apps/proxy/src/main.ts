// The data plane: sidecar, ingress gateway or egress gateway (one binary).
import { runService } from '@sextant/runtime';
import { PROXY_SETTINGS } from './features';

await runService({
  name: 'proxy',
  description: 'xDS-driven sidecar and gateway',
  settings: PROXY_SETTINGS,
  async start(ctx) {
    ctx.logger.info({ mode: ctx.settings.mode, pilot: ctx.settings.pilotAddress }, 'proxy started; traffic listeners arrive with the Proxy issue');
  },
});
