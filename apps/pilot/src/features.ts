import { defineSettings } from '@sextant/util';

export const PILOT_SETTINGS = defineSettings({
  xdsPort: { kind: 'port', env: 'PILOT_XDS_PORT', flag: 'xds-port', default: 15010, description: 'xDS (ADS) over plaintext gRPC' },
  xdsTlsPort: { kind: 'port', env: 'PILOT_XDS_TLS_PORT', flag: 'xds-tls-port', default: 15012, description: 'xDS (ADS) over TLS (reserved)' },
  webhookPort: { kind: 'port', env: 'PILOT_WEBHOOK_PORT', flag: 'webhook-port', default: 15017, description: 'sidecar-injection webhook (reserved)' },
  debounceAfter: { kind: 'duration', env: 'PILOT_DEBOUNCE_AFTER', flag: 'debounce-after', default: 100, description: 'quiet time before a push' },
  debounceMax: { kind: 'duration', env: 'PILOT_DEBOUNCE_MAX', flag: 'debounce-max', default: 10_000, description: 'longest a push may be delayed' },
});
