// Bookinfo's tunables. Host and port variables keep the names Istio's Bookinfo
// images read (DETAILS_HOSTNAME, REVIEWS_SERVICE_PORT, STAR_COLOR, ...);
// timeouts default to Istio's (productpage -> details/reviews/ratings 3 s,
// reviews -> ratings 10 s) and may be shortened, e.g. for tests.
import { defineSettings, loadSettings, type SettingsOf } from '@sextant/util';
import { workloadFromEnv, type WorkloadIdentity } from '@sextant/workloads';

export const ROLES = ['productpage', 'details', 'reviews', 'ratings'] as const;
export type Role = (typeof ROLES)[number];

export const BOOKINFO_SETTINGS = defineSettings({
  port: { kind: 'int', env: 'BOOKINFO_PORT', flag: 'port', default: -1, min: -1, max: 65535, description: 'port to serve on (default: the first port in SEXTANT_PORTS, else 9080)' },
  detailsTimeoutMs: { kind: 'duration', env: 'BOOKINFO_DETAILS_TIMEOUT', flag: 'details-timeout', default: 3000, description: 'productpage -> details timeout per attempt' },
  reviewsTimeoutMs: { kind: 'duration', env: 'BOOKINFO_REVIEWS_TIMEOUT', flag: 'reviews-timeout', default: 3000, description: 'productpage -> reviews timeout per attempt' },
  ratingsTimeoutMs: { kind: 'duration', env: 'BOOKINFO_RATINGS_TIMEOUT', flag: 'ratings-timeout', default: 3000, description: 'productpage -> ratings timeout (ratings API)' },
  reviewsRatingsTimeoutMs: { kind: 'duration', env: 'BOOKINFO_REVIEWS_RATINGS_TIMEOUT', flag: 'reviews-ratings-timeout', default: 10_000, description: 'reviews -> ratings timeout' },
  detailsHost: { kind: 'string', env: 'DETAILS_HOSTNAME', flag: 'details-hostname', default: 'details', description: 'details service host' },
  detailsPort: { kind: 'port', env: 'DETAILS_SERVICE_PORT', flag: 'details-port', default: 9080, description: 'details service port' },
  reviewsHost: { kind: 'string', env: 'REVIEWS_HOSTNAME', flag: 'reviews-hostname', default: 'reviews', description: 'reviews service host' },
  reviewsPort: { kind: 'port', env: 'REVIEWS_SERVICE_PORT', flag: 'reviews-port', default: 9080, description: 'reviews service port' },
  ratingsHost: { kind: 'string', env: 'RATINGS_HOSTNAME', flag: 'ratings-hostname', default: 'ratings', description: 'ratings service host' },
  ratingsPort: { kind: 'port', env: 'RATINGS_SERVICE_PORT', flag: 'ratings-port', default: 9080, description: 'ratings service port' },
  servicesDomain: { kind: 'string', env: 'SERVICES_DOMAIN', flag: 'services-domain', default: '', description: 'domain appended to service hosts, e.g. default.svc.cluster.local' },
  starColor: { kind: 'string', env: 'STAR_COLOR', flag: 'star-color', default: '', description: 'reviews: star colour (default: black for v2, red for v3)' },
  enableRatings: { kind: 'enum', env: 'ENABLE_RATINGS', flag: 'enable-ratings', default: 'auto', values: ['auto', 'true', 'false'], description: 'reviews: call ratings (auto: v2 and v3 do)' },
  clusterName: { kind: 'string', env: 'CLUSTER_NAME', flag: 'cluster-name', default: 'null', description: 'reviews: cluster name reported in its answer' },
  logLevel: { kind: 'enum', env: 'LOG_LEVEL', flag: 'log-level', default: 'info', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], description: 'log level' },
});

export type BookinfoSettings = SettingsOf<typeof BOOKINFO_SETTINGS>;

export interface BookinfoConfig {
  role: Role;
  identity: WorkloadIdentity;
  settings: BookinfoSettings;
  /** Environment for the mesh client (SEXTANT_OUTBOUND_PROXY, SEXTANT_SERVICES). */
  env: Record<string, string | undefined>;
}

function isRole(s: string | undefined): s is Role {
  return s !== undefined && (ROLES as readonly string[]).includes(s);
}

/**
 * The role comes from the first positional argument, else SEXTANT_SERVICE;
 * the remaining arguments are --flags for the settings above.
 */
export function loadBookinfoConfig(argv: string[], env: Record<string, string | undefined> = process.env): BookinfoConfig {
  const positional = argv.length > 0 && !argv[0].startsWith('--') ? argv[0] : undefined;
  const roleName = positional ?? env.SEXTANT_SERVICE;
  if (!isRole(roleName)) {
    const got = roleName === undefined ? 'none given' : JSON.stringify(roleName);
    throw new Error(`bookinfo needs a role (first argument or SEXTANT_SERVICE): one of ${ROLES.join(', ')}; ${got}`);
  }
  const settings = loadSettings(BOOKINFO_SETTINGS, positional ? argv.slice(1) : argv, env);
  const identity = workloadFromEnv({ ...env, SEXTANT_SERVICE: env.SEXTANT_SERVICE ?? roleName });
  if (!identity.version) identity.version = 'v1';
  if (!env.SEXTANT_INSTANCE) identity.instance = `${roleName}-${identity.version}-0`;
  return { role: roleName, identity, settings, env };
}

/** Port to serve on: --port / BOOKINFO_PORT, else the workload's first HTTP port, else 9080. */
export function servingPort(config: BookinfoConfig): number {
  if (config.settings.port >= 0) return config.settings.port;
  const ports = config.identity.ports;
  const http = ports.find((p) => p.protocol === 'HTTP' || p.protocol === 'HTTP2') ?? ports[0];
  return http ? http.port : 9080;
}

/** Base URL of another Bookinfo service, e.g. http://reviews:9080. */
export function serviceUrl(settings: BookinfoSettings, service: 'details' | 'reviews' | 'ratings'): string {
  const host = settings[`${service}Host`];
  const port = settings[`${service}Port`];
  const domain = settings.servicesDomain ? `.${settings.servicesDomain}` : '';
  return `http://${host}${domain}:${port}`;
}
