import { defineSettings } from '@sextant/util';

export const TELEMETRY_SETTINGS = defineSettings({
  tracesPort: { kind: 'port', env: 'TELEMETRY_TRACES_PORT', flag: 'traces-port', default: 9411, description: 'trace query API (reserved)' },
  dashboardPort: { kind: 'port', env: 'TELEMETRY_DASHBOARD_PORT', flag: 'dashboard-port', default: 20001, description: 'web dashboard (reserved)' },
});
