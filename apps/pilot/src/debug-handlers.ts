// Pilot's debug endpoints on the admin server (Istio's short names):
// syncz, config_dump, registryz, configz, push_status. Each answers JSON
// built on demand from the parts that own the data.
import type { AdminServer } from '@sextant/admin';
import { TYPE_URL } from '@sextant/proto';
import type { ServiceRegistry } from '@sextant/registry';
import type { AdsServer, ConnectionStatus, TypeStatus } from '@sextant/xds-server';
import type { ConfigWatcher } from './config-watcher';
import { toJson } from './json';
import type { PushHistory } from './push-history';
import type { PushPipeline } from './push-pipeline';
import type { PilotSnapshotSource } from './snapshot-source';
import { redactSecretDump } from './secrets';

export interface DebugSources {
  ads: AdsServer;
  source: PilotSnapshotSource;
  config: ConfigWatcher;
  registry: ServiceRegistry;
  pipeline: PushPipeline;
  history: PushHistory;
}

/** Short names of the xDS types, as istioctl prints them. */
export const TYPE_NAMES: Readonly<Record<string, string>> = {
  [TYPE_URL.cluster]: 'cds',
  [TYPE_URL.listener]: 'lds',
  [TYPE_URL.endpoint]: 'eds',
  [TYPE_URL.route]: 'rds',
  [TYPE_URL.secret]: 'sds',
  [TYPE_URL.virtualHost]: 'vhds',
};

const DUMP_SECTIONS: readonly [string, string][] = [
  ['listeners', TYPE_URL.listener],
  ['routes', TYPE_URL.route],
  ['clusters', TYPE_URL.cluster],
  ['endpoints', TYPE_URL.endpoint],
  ['secrets', TYPE_URL.secret],
];

/** istioctl's words: SYNCED (last response ACKed), NACKED, STALE (sent, not ACKed yet), NOT SENT. */
export type SyncState = 'SYNCED' | 'NACKED' | 'STALE' | 'NOT SENT';

export function syncState(t: TypeStatus | undefined, pushPending: boolean): SyncState {
  if (!t || t.state === 'none') return 'NOT SENT';
  if (t.state === 'nacked') return 'NACKED';
  if (t.state === 'pending' || pushPending) return 'STALE';
  return 'SYNCED';
}

export interface SyncEntry {
  proxy: string;
  connectionId: string;
  protocol: 'sotw' | 'delta';
  peer: string;
  userAgent: string;
  namespace?: string;
  /** Streams on the TLS port (15012): the client certificate's SPIFFE ID. */
  security?: ConnectionStatus['security'];
  connectedSince: string;
  /** The push Pilot serves from now. */
  pushVersion?: string;
  pushPending: boolean;
  waitingForEndpoints?: string[];
  lastPushError?: { message: string; at: string };
  inconsistencies: ConnectionStatus['inconsistencies'];
  types: Record<string, TypeStatus & { sync: SyncState }>;
}

export function syncEntry(c: ConnectionStatus, pushVersion: string | undefined): SyncEntry {
  const types: SyncEntry['types'] = {};
  for (const [url, name] of Object.entries(TYPE_NAMES)) {
    const t = c.types.find((x) => x.typeUrl === url);
    if (!t && url === TYPE_URL.virtualHost) continue; // only Delta clients that use VHDS have it
    const sync = syncState(t, c.queue.pushPending);
    types[name] = t ? { ...t, sync } : { typeUrl: url, wildcard: false, subscribed: [], resources: 0, state: 'none', sync };
  }
  return {
    proxy: c.proxy?.id ?? '',
    connectionId: c.connectionId,
    protocol: c.protocol,
    peer: c.peer,
    userAgent: c.proxy?.userAgent ?? '',
    ...(c.proxy?.namespace ? { namespace: c.proxy.namespace } : {}),
    ...(c.security ? { security: c.security } : {}),
    connectedSince: c.connectedSince,
    ...(pushVersion ? { pushVersion } : {}),
    pushPending: c.queue.pushPending,
    ...(c.queue.waitingForEndpoints ? { waitingForEndpoints: c.queue.waitingForEndpoints } : {}),
    ...(c.lastPushError ? { lastPushError: c.lastPushError } : {}),
    inconsistencies: c.inconsistencies,
    types,
  };
}

type Query = Record<string, string | undefined>;

export function registerDebugHandlers(admin: AdminServer, s: DebugSources): void {
  admin.registerDebugHandler('syncz', 'per proxy and xDS type: sent, ACKed and NACKed version and nonce, NACK text (?proxy=ID)', (req) => {
    const { proxy } = req.query as Query;
    const list = proxy ? s.ads.statusOf(proxy) : s.ads.status();
    return list.map((c) => syncEntry(c, s.source.push?.version)).sort((a, b) => a.proxy.localeCompare(b.proxy));
  });

  admin.registerDebugHandler('config_dump', 'the resources Pilot would send a connected proxy now, as JSON (?proxy=ID[&types=clusters,routes][&subscribed=true])', (req, reply) => {
    const { proxy, types, subscribed } = req.query as Query;
    if (!proxy) return reply.code(400).send({ error: 'name a connected proxy: /debug/config_dump?proxy=ID (see /debug/syncz)' });
    const conn = s.ads.statusOf(proxy).find((c) => c.proxy);
    if (!conn?.proxy) {
      const known = s.ads.status().map((c) => c.proxy?.id).filter(Boolean);
      return reply.code(404).send({ error: `proxy ${JSON.stringify(proxy)} is not connected`, connected: known.slice(0, 50) });
    }
    const out = s.source.configFor(conn.proxy);
    if (!out) return reply.code(503).send({ error: 'Pilot has not loaded its config and registry yet' });
    const wanted = types ? new Set(types.split(',').map((t) => t.trim())) : undefined;
    const configs: Record<string, { name: string; version: string; resource: unknown }[]> = {};
    for (const [section, url] of DUMP_SECTIONS) {
      if (wanted && !wanted.has(section)) continue;
      const resources = out.snapshot.get(url) ?? new Map();
      // subscribed=true: only what the proxy asked for (a non-wildcard subscription), i.e. what it was sent.
      const sub = conn.types.find((t) => t.typeUrl === url);
      const only = subscribed === 'true' && sub && !sub.wildcard ? new Set(sub.subscribed) : undefined;
      configs[section] = [...resources.entries()]
        .filter(([name]) => !only || only.has(name))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, r]) => ({ name, version: r.version, resource: section === 'secrets' ? redactSecretDump(toJson(r.resource)) : toJson(r.resource) }));
    }
    return { proxy: conn.proxy.id, pushVersion: out.pushVersion, cacheKey: out.cacheKey, warnings: out.warnings, sync: syncEntry(conn, out.pushVersion), configs };
  });

  admin.registerDebugHandler('registryz', 'services and their endpoints from every registry (?service=HOST)', (req) => {
    const { service } = req.query as Query;
    const services = s.registry.services().filter((x) => !service || x.hostname === service || x.name === service);
    return {
      pushVersion: s.source.push?.version,
      held: s.pipeline.holding,
      services: services.map((svc) => ({ ...svc, endpoints: s.registry.endpointsOf(svc) })),
    };
  });

  admin.registerDebugHandler('configz', 'the Istio config Pilot uses, and what it skipped as invalid (?kind=K&namespace=NS)', (req) => {
    const { kind, namespace } = req.query as Query;
    const resources = s.config.configs().filter((r) => (!kind || r.kind === kind) && (!namespace || r.metadata.namespace === namespace));
    return { status: s.config.status(), resources, rejected: s.config.rejected() };
  });

  admin.registerDebugHandler('push_status', 'the current push, recent pushes, convergence per type, cache and translation warnings', () => {
    const push = s.source.push;
    return {
      pushVersion: push?.version,
      initialized: s.pipeline.initialized,
      connected: s.ads.connectedCount,
      pending: s.pipeline.pending ? { full: s.pipeline.pending.full, reason: s.pipeline.pending.reason, since: new Date(s.pipeline.pending.start).toISOString() } : undefined,
      held: s.pipeline.holding,
      cache: s.source.cacheStats(),
      memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])),
      ...s.history.summary(),
      warnings: s.source.warnings().slice(0, 200),
    };
  });
}
