// The control-plane processes of the local mesh and the ports each one
// takes. Defaults are Istio's; the runner picks free ports when they clash.
export interface PortDef {
  /** Environment variable the component reads the port from. */
  env: string;
  default: number;
}

export interface ComponentDef {
  name: string;
  /** Bundle directory under dist/, e.g. apps/pilot. */
  bundle: string;
  args: string[];
  ports: Record<string, PortDef>;
  /** Port names worth printing as URLs (http) or addresses (grpc). */
  show: { port: string; scheme: 'http' | 'grpc'; label: string; path?: string }[];
}

const admin = (def = 15014): PortDef => ({ env: 'SEXTANT_ADMIN_PORT', default: def });

export const COMPONENTS: ComponentDef[] = [
  {
    name: 'galley',
    bundle: 'apps/galley',
    args: [],
    ports: { admin: admin(), grpc: { env: 'GALLEY_GRPC_PORT', default: 9901 } },
    show: [{ port: 'grpc', scheme: 'grpc', label: 'config API' }],
  },
  {
    name: 'citadel',
    bundle: 'apps/citadel',
    args: [],
    ports: { admin: admin(), grpc: { env: 'CITADEL_GRPC_PORT', default: 8060 } },
    show: [{ port: 'grpc', scheme: 'grpc', label: 'CA API' }],
  },
  {
    name: 'pilot',
    bundle: 'apps/pilot',
    args: [],
    ports: {
      admin: admin(),
      xds: { env: 'PILOT_XDS_PORT', default: 15010 },
      xdsTls: { env: 'PILOT_XDS_TLS_PORT', default: 15012 },
      webhook: { env: 'PILOT_WEBHOOK_PORT', default: 15017 },
    },
    show: [
      { port: 'xds', scheme: 'grpc', label: 'xDS (ADS)' },
      { port: 'xdsTls', scheme: 'grpc', label: 'xDS over mTLS (proxies)' },
    ],
  },
  {
    name: 'telemetry',
    bundle: 'apps/telemetry',
    args: [],
    ports: {
      admin: admin(),
      traces: { env: 'TELEMETRY_TRACES_PORT', default: 9411 },
      dashboard: { env: 'TELEMETRY_DASHBOARD_PORT', default: 20001 },
    },
    show: [{ port: 'admin', scheme: 'http', label: 'metrics', path: '/metrics' }],
  },
  {
    name: 'ingress-gateway',
    bundle: 'apps/proxy',
    args: ['--mode', 'ingress'],
    ports: {
      admin: admin(15000),
      health: { env: 'PROXY_HEALTH_PORT', default: 15021 },
    },
    show: [{ port: 'admin', scheme: 'http', label: 'admin' }],
  },
];

/** How a built-in app is started: a bundle and its arguments. */
export const BUILTIN_APP_COMMANDS: Record<string, { bundle: string; args: string[] }> = {
  echo: { bundle: 'samples/echo', args: [] },
  productpage: { bundle: 'samples/bookinfo', args: ['productpage'] },
  details: { bundle: 'samples/bookinfo', args: ['details'] },
  reviews: { bundle: 'samples/bookinfo', args: ['reviews'] },
  ratings: { bundle: 'samples/bookinfo', args: ['ratings'] },
};
