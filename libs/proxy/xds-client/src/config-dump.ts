// /config_dump: the applied resources per type as Envoy JSON (Any fields
// expanded with "@type"), with versions, what is still warming and what was
// rejected with its errors. Rendered on demand, never on the data path.
import { envoyMessageType } from '@sextant/proto';
import { hostsByRoute, type StoredResource } from './config-snapshot';
import { ensureExtensionProtos } from './decode-support';
import { RESOURCE_TYPES, KIND_ORDER, type ResourceKind } from './resource-types';
import type { ResourceState } from './resource-state';

export interface DumpedResource {
  name: string;
  version: string;
  lastUpdated: string;
  state: 'active' | 'warming';
  resource: unknown;
}

export interface ConfigDumpSection {
  type: string;
  typeUrl: string;
  versionInfo: string;
  resources: DumpedResource[];
  rejected: { name: string; version: string; errors: string[]; at: string }[];
}

const TO_JSON = { json: true, enums: String, longs: String, defaults: false } as const;

function toJson(typeUrl: string, bytes: Uint8Array): unknown {
  ensureExtensionProtos();
  try {
    const type = envoyMessageType(typeUrl);
    return { '@type': typeUrl, ...type.toObject(type.decode(bytes), TO_JSON) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Replaces every private key (SDS secrets, inline tls_certificates of listeners and clusters) with "[redacted]", as Envoy does. */
export function redactPrivateKeys(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  if (Array.isArray(json)) return json.map(redactPrivateKeys);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) out[k] = k === 'privateKey' || k === 'private_key' ? '[redacted]' : redactPrivateKeys(v);
  return out;
}

function redact(_kind: ResourceKind, json: unknown): unknown {
  return redactPrivateKeys(json);
}

/**
 * An active route configuration whose hosts come by VHDS, as the data plane
 * routes with it (as Envoy dumps it): its own hosts, then its active VHDS
 * hosts sorted by name. The `vhds` section lists the host resources themselves.
 */
function withVhdsHosts(json: unknown, hosts: readonly StoredResource<'vhost'>[] | undefined): unknown {
  if (typeof json !== 'object' || json === null || !('vhds' in json)) return json;
  const merged = (hosts ?? []).map((e) => {
    const { '@type': _type, ...host } = toJson(RESOURCE_TYPES.vhost.typeUrl, e.bytes) as Record<string, unknown>;
    return host;
  });
  const own = (json as { virtualHosts?: unknown[] }).virtualHosts ?? [];
  return { ...json, virtualHosts: [...own, ...merged] };
}

export function configDump(state: ResourceState, kinds: readonly ResourceKind[] = KIND_ORDER): ConfigDumpSection[] {
  const vhdsHosts = hostsByRoute(state.active.vhost);
  return kinds.map((kind) => {
    const type = RESOURCE_TYPES[kind];
    const resources: DumpedResource[] = [];
    for (const [name, entry] of state.active[kind]) {
      const json = toJson(type.typeUrl, entry.bytes);
      resources.push({ name, version: entry.version, lastUpdated: new Date(entry.acceptedAt).toISOString(), state: 'active', resource: redact(kind, kind === 'route' ? withVhdsHosts(json, vhdsHosts.get(name)) : json) });
    }
    for (const [name, entry] of state.accepted[kind]) {
      if (state.active[kind].get(name) === entry) continue;
      resources.push({ name, version: entry.version, lastUpdated: new Date(entry.acceptedAt).toISOString(), state: 'warming', resource: redact(kind, toJson(type.typeUrl, entry.bytes)) });
    }
    resources.sort((a, b) => a.name.localeCompare(b.name));
    return {
      type: type.short,
      typeUrl: type.typeUrl,
      versionInfo: state.typeVersions[kind] ?? '',
      resources,
      rejected: [...state.rejected[kind]].map(([name, r]) => ({ name, version: r.version, errors: r.errors, at: new Date(r.at).toISOString() })),
    };
  });
}
