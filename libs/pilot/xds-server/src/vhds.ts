// VHDS: Envoy's Virtual Host Discovery Service, for Delta clients that ask
// for it (node metadata SEXTANT_VHDS=true).
//
// Without it a full-mesh sidecar's outbound route table holds one virtual
// host per service (1000 services: 600 KB), and a change of one
// VirtualService re-sends the whole table to every sidecar. With VHDS each
// RouteConfiguration goes out without its virtual hosts and with
// `vhds: { config_source: { ads: {} } }`; each virtual host is a resource of
// its own (type envoy.config.route.v3.VirtualHost) named
// `<route configuration>/<virtual host>`, which is also the message's name
// (Envoy keys the hosts it holds by the message name and drops them by the
// removed resource name, so the two must agree). The client subscribes to
// the route configuration's name as a namespace: every resource named
// `<route configuration>/...` belongs to it. A changed VirtualService then
// changes one VirtualHost resource, and the delta stream sends only it.
//
// The split works on the encoded route table: its virtual_hosts entries are
// cut out of the bytes (no re-encoding), renamed, and paired with the plain
// objects they came from, so consistency checks still read plain objects.
// Splits are cached per resource and per map object, so proxies that share
// a route table share its split (and the server's checks and diffs of it).
import { TYPE_URL, decodeMessage, encodeMessage, isPackedAny } from '@sextant/proto';
import { type Snapshot, type TypeResources, type VersionedResource, packResource, versionedEncoded } from './snapshot';

/** Node metadata a client sets ("true") to receive RDS through VHDS on a Delta stream. */
export const VHDS_METADATA_KEY = 'SEXTANT_VHDS';

/** What a split RouteConfiguration says about where its virtual hosts come from. */
export const VHDS_CONFIG = { configSource: { ads: {}, resourceApiVersion: 'V3' } } as const;

/** The VHDS resource name of a virtual host. */
export function vhdsResourceName(routeConfig: string, virtualHost: string): string {
  return `${routeConfig}/${virtualHost}`;
}

/** The route configuration (namespace) a VHDS resource name belongs to; undefined without a "/". */
export function vhdsNamespace(name: string): string | undefined {
  const i = name.lastIndexOf('/');
  return i > 0 ? name.slice(0, i) : undefined;
}

/** Whether a client's node metadata asks for VHDS. */
export function wantsVhds(metadata: Readonly<Record<string, unknown>>): boolean {
  const v = metadata[VHDS_METADATA_KEY];
  return v === true || v === 'true' || v === '1';
}

interface Field {
  field: number;
  /** The whole entry: tag, length and value. */
  start: number;
  end: number;
  /** Where the value starts (length-delimited fields). */
  valueStart: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
}

function writeVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** The top-level fields of an encoded message, in wire order. */
function fieldsOf(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, p] = readVarint(buf, pos);
    const wire = tag & 7;
    let end: number;
    let valueStart = p;
    if (wire === 0) end = readVarint(buf, p)[1];
    else if (wire === 1) end = p + 8;
    else if (wire === 5) end = p + 4;
    else if (wire === 2) {
      const [len, q] = readVarint(buf, p);
      valueStart = q;
      end = q + len;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (end > buf.length) throw new Error('truncated field');
    out.push({ field: tag >>> 3, start, end, valueStart });
    pos = end;
  }
  return out;
}

/** A VirtualHost message's bytes with its name (field 1) replaced. */
function renamed(host: Buffer, name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const parts: Buffer[] = [Buffer.from([0x0a, ...writeVarint(nameBytes.length)]), nameBytes];
  for (const f of fieldsOf(host)) if (f.field !== 1) parts.push(host.subarray(f.start, f.end));
  return Buffer.concat(parts);
}

type PlainRoute = { name?: string; virtualHosts?: { name?: unknown }[]; vhds?: unknown } & Record<string, unknown>;

/**
 * Host resources by name and the bytes they were cut from: a route table
 * rebuilt for one changed VirtualService holds 999 hosts with the same bytes
 * as before, and they keep the same resource objects (no rename, hash or
 * consistency walk again; the same version). A few variants per name, as
 * namespaces see a host under different short names.
 */
const hostVariants = new Map<string, { src: Buffer; entry: VersionedResource }[]>();
const HOST_VARIANTS = 12;

function hostEntry(name: string, src: Buffer, make: () => VersionedResource): VersionedResource {
  let list = hostVariants.get(name);
  const hit = list?.find((v) => v.src.equals(src));
  if (hit) return hit.entry;
  const entry = make();
  if (!list) {
    if (hostVariants.size >= 100_000) hostVariants.clear();
    hostVariants.set(name, (list = []));
  }
  list.unshift({ src: Buffer.from(src), entry });
  if (list.length > HOST_VARIANTS) list.length = HOST_VARIANTS;
  return entry;
}

interface RouteSplit {
  route: VersionedResource;
  hosts: [string, VersionedResource][];
}

/** Split per route resource; null when it is served whole (already VHDS, or virtual host names that cannot be resource names). */
const routeSplits = new WeakMap<VersionedResource, RouteSplit | null>();

function splitRoute(name: string, entry: VersionedResource): RouteSplit | null {
  const known = routeSplits.get(entry);
  if (known !== undefined) return known;
  const split = trySplit(name, entry);
  routeSplits.set(entry, split);
  return split;
}

function trySplit(name: string, entry: VersionedResource): RouteSplit | null {
  const bytes = packResource(TYPE_URL.route, entry).value;
  const rc = (isPackedAny(entry.resource) ? decodeMessage<PlainRoute>(TYPE_URL.route, bytes) : entry.resource) as PlainRoute;
  if (rc.vhds) return null;
  const hosts = rc.virtualHosts ?? [];
  const seen = new Set<string>();
  for (const vh of hosts) {
    if (typeof vh.name !== 'string' || vh.name === '' || vh.name.includes('/') || seen.has(vh.name)) return null;
    seen.add(vh.name);
  }
  const fields = fieldsOf(bytes);
  const hostFields = fields.filter((f) => f.field === 2);
  if (hostFields.length !== hosts.length) return null;
  const out: [string, VersionedResource][] = [];
  hosts.forEach((vh, i) => {
    const f = hostFields[i]!;
    const resName = vhdsResourceName(name, vh.name as string);
    const src = bytes.subarray(f.valueStart, f.end);
    out.push([resName, hostEntry(resName, src, () => versionedEncoded(TYPE_URL.virtualHost, { ...vh, name: resName }, renamed(src, resName)))]);
  });
  const { virtualHosts: _hosts, ...rest } = rc;
  const route = { ...rest, vhds: VHDS_CONFIG };
  const routeBytes = Buffer.concat([...fields.filter((f) => f.field !== 2).map((f) => bytes.subarray(f.start, f.end)), encodeMessage(TYPE_URL.route, { vhds: VHDS_CONFIG })]);
  return { route: versionedEncoded(TYPE_URL.route, route, routeBytes), hosts: out };
}

interface SplitMaps {
  routes: TypeResources;
  hosts: TypeResources;
}

const mapSplits = new WeakMap<TypeResources, SplitMaps>();
/**
 * Route resources that are split output already (a merged snapshot carries
 * them over; a consistency check may have copied their map), including
 * those served whole.
 */
const splitOutput = new WeakSet<VersionedResource>();

function isSplit(routes: TypeResources): boolean {
  for (const entry of routes.values()) if (!splitOutput.has(entry)) return false;
  return true;
}

/** A route type map split for VHDS: route configurations without their hosts, and the hosts. Cached per map. */
export function splitRoutes(routes: TypeResources): SplitMaps {
  let split = mapSplits.get(routes);
  if (split) return split;
  const outRoutes = new Map<string, VersionedResource>();
  const outHosts = new Map<string, VersionedResource>();
  for (const [name, entry] of routes) {
    let s: RouteSplit | null = null;
    try {
      s = splitRoute(name, entry);
    } catch {
      s = null; // not encodable: served whole, and the consistency check reports it
    }
    const served = s ? s.route : entry;
    splitOutput.add(served);
    outRoutes.set(name, served);
    for (const [n, h] of s?.hosts ?? []) outHosts.set(n, h);
  }
  split = { routes: outRoutes, hosts: outHosts };
  mapSplits.set(routes, split);
  return split;
}

const snapshotSplits = new WeakMap<Snapshot, Snapshot>();

/**
 * The snapshot as a VHDS client gets it: RDS split into route configurations
 * and VirtualHost resources. Same input object, same output object.
 */
export function vhdsSnapshot(snapshot: Snapshot): Snapshot {
  const routes = snapshot.get(TYPE_URL.route);
  if (!routes || (routes.size > 0 && isSplit(routes))) return snapshot;
  let out = snapshotSplits.get(snapshot);
  if (!out) {
    const split = splitRoutes(routes);
    const m = new Map(snapshot);
    m.set(TYPE_URL.route, split.routes);
    m.set(TYPE_URL.virtualHost, split.hosts);
    out = m;
    snapshotSplits.set(snapshot, out);
  }
  return out;
}
