import { defineSettings } from '@sextant/util';

/** Settings every Sextant service has; each app adds its own in features.ts. */
export const COMMON_SETTINGS = defineSettings({
  natsUrl: { kind: 'url', env: 'NATS_URL', flag: 'nats-url', default: 'nats://127.0.0.1:4222', description: 'NATS server (JetStream enabled)' },
  host: { kind: 'string', env: 'SEXTANT_HOST', flag: 'host', default: '127.0.0.1', description: 'address every listener binds' },
  adminPort: { kind: 'port', env: 'SEXTANT_ADMIN_PORT', flag: 'admin-port', default: 15014, description: 'admin server: /healthz /readyz /metrics /debug' },
  logLevel: { kind: 'enum', env: 'SEXTANT_LOG_LEVEL', flag: 'log-level', default: 'info', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], description: 'log level' },
  logFormat: { kind: 'enum', env: 'SEXTANT_LOG_FORMAT', flag: 'log-format', default: 'auto', values: ['auto', 'json', 'pretty'], description: 'JSON lines, or pretty (auto: pretty on a terminal)' },
  dataDir: { kind: 'string', env: 'SEXTANT_DATA_DIR', flag: 'data-dir', default: '.sextant/data', description: 'where the service keeps files' },
  shutdownGrace: { kind: 'duration', env: 'SEXTANT_SHUTDOWN_GRACE', flag: 'shutdown-grace', default: 8_000, description: 'time to drain on SIGTERM before closing hard' },
});
