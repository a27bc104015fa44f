import { defineSettings } from '@sextant/util';

export const PROXY_SETTINGS = defineSettings({
  mode: { kind: 'enum', env: 'PROXY_MODE', flag: 'mode', default: 'sidecar', values: ['sidecar', 'ingress', 'egress'], description: 'sidecar, ingress gateway or egress gateway' },
  adminPort: { kind: 'port', env: 'SEXTANT_ADMIN_PORT', flag: 'admin-port', default: 15000, description: 'proxy admin: /ready /stats /config_dump' },
  healthPort: { kind: 'port', env: 'PROXY_HEALTH_PORT', flag: 'health-port', default: 15021, description: 'health probe port (reserved)' },
  outboundPort: { kind: 'port', env: 'PROXY_OUTBOUND_PORT', flag: 'outbound-port', default: 15001, description: 'outbound capture (reserved)' },
  inboundPort: { kind: 'port', env: 'PROXY_INBOUND_PORT', flag: 'inbound-port', default: 15006, description: 'inbound capture (reserved)' },
  pilotAddress: { kind: 'string', env: 'PILOT_ADDRESS', flag: 'pilot-address', default: '127.0.0.1:15010', description: 'Pilot xDS address host:port' },
});
