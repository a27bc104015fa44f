// Simulated Envoy sidecars on Delta ADS, with VHDS when Pilot offers it, for
// the Pilot scale benchmark (`pilot-scale.ts --protocol delta`; a child
// process like pilot-clients.ts, with the same IPC).
//
// Each stream behaves like Envoy with `ads_config.api_type: DELTA_GRPC`:
// wildcard CDS and LDS; explicit EDS for the EDS clusters it holds and RDS
// for the route configurations its listeners name; and, for every route
// configuration that says `vhds`, a VirtualHost subscription to the route
// configuration's name (a namespace: Pilot sends every host named
// `<route>/...`), as Envoy's VHDS subscription does. A delta response holds
// only what changed, so each stream keeps the names and versions it holds per
// type, applies removed_resources, and (un)subscribes as what it holds
// changes. Every response is ACKed with its nonce. The node announces VHDS
// (SEXTANT_VHDS=true) unless `--vhds false`.
//
// Lean, like pilot-clients.ts: the envelope is read across the chunks it
// arrived in (lean-delta.ts, no copy of resource bytes); resource bodies are
// read only for CDS, LDS and RDS, once per (name, version) for all streams;
// virtual hosts never.
//
// IPC in:  { op: 'mark', at } | { op: 'report' } | { op: 'stop' }
// IPC out: { op: 'ready', synced } once every stream ACKed CDS, EDS, LDS, RDS
//          (and VirtualHost when its route tables use VHDS); { op: 'report', streams }; { op: 'error', ... }
import { TYPE_URL, adsServiceDefinition, decodeMessage, type DeltaDiscoveryRequest } from '@sextant/proto';
import { type DeltaResource, leanDeltaResponse } from './lean-delta';
import type { RawStream } from './raw-ads-stream';
import { arg, connectionFor, counted, openInWaves, ready, reportError, serveIpc, simNode, type SimCounters } from './sim-sidecars';

const VHDS = arg('vhds', 'true') !== 'false';
const PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const { cluster: CDS, endpoint: EDS, listener: LDS, route: RDS, virtualHost: VHOST } = TYPE_URL;
/** What a type's resources make a stream subscribe to next. */
const NEXT: Record<string, string> = { [CDS]: EDS, [LDS]: RDS, [RDS]: VHOST };

/** Reads the length-delimited fields of `buf[start, end)` one by one: [field, value start, value end]; other wire types are skipped. */
function reader(buf: Buffer, start: number, end: number) {
  let pos = start;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  /** Next field: [field number, value start, value end] (length-delimited), or varints skipped. */
  const next = (): [number, number, number] | undefined => {
    while (pos < end) {
      const tag = varint();
      const wire = tag & 7;
      if (wire === 0) {
        varint();
        continue;
      }
      if (wire === 1 || wire === 5) {
        pos += wire === 1 ? 8 : 4;
        continue;
      }
      if (wire !== 2) throw new Error(`unexpected wire type ${wire}`);
      const len = varint();
      const s = pos;
      pos += len;
      return [tag >>> 3, s, pos];
    }
    return undefined;
  };
  return next;
}

type Any = { type_url?: string; typeUrl?: string; value: Buffer };
const anyUrl = (a: Any) => a.type_url ?? a.typeUrl ?? '';

/** Names a resource makes a stream subscribe to next, by type|name|version (shared by every stream). */
const follow = new Map<string, string[]>();

function followUps(typeUrl: string, r: DeltaResource): string[] {
  const key = `${typeUrl}|${r.name}|${r.version}`;
  let names = follow.get(key);
  if (names) return names;
  if (!r.body) return [];
  const body = r.body();
  names = [];
  if (typeUrl === CDS) {
    const c = decodeMessage<{ name: string; type?: string; edsClusterConfig?: { serviceName?: string } }>(CDS, body);
    if (c.type === 'EDS') names.push(c.edsClusterConfig?.serviceName || c.name);
  } else if (typeUrl === LDS) {
    const l = decodeMessage<{ filterChains?: { filters?: { typedConfig?: Any }[] }[]; defaultFilterChain?: { filters?: { typedConfig?: Any }[] } }>(LDS, body);
    for (const chain of [...(l.filterChains ?? []), ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) {
      for (const f of chain.filters ?? []) {
        if (f.typedConfig && anyUrl(f.typedConfig) === HCM) {
          const hcm = decodeMessage<{ rds?: { routeConfigName?: string } }>(HCM, f.typedConfig.value);
          if (hcm.rds?.routeConfigName) names.push(hcm.rds.routeConfigName);
        }
      }
    }
  } else if (typeUrl === RDS) {
    // A route configuration with `vhds` (field 9) gets its hosts through VHDS, under its own name.
    const top = reader(body, 0, body.length);
    for (let f = top(); f; f = top()) if (f[0] === 9) names.push(r.name);
  }
  follow.set(key, names);
  return names;
}

interface StreamState extends SimCounters {
  acked: Set<string>;
  /** What the stream holds: type -> name -> version. */
  held: Map<string, Map<string, string>>;
  /** Explicit subscriptions sent, per type. */
  subs: Map<string, Set<string>>;
}

const states: StreamState[] = [];
const Ads = adsServiceDefinition();
const delta = (Ads.service as unknown as Record<string, { requestSerialize: (r: DeltaDiscoveryRequest) => Buffer }>)['DeltaAggregatedResources']!;
const calls: RawStream[] = [];

function open(i: number): void {
  const node = simNode(i, VHDS ? { SEXTANT_VHDS: { stringValue: 'true' } } : {});
  const state: StreamState = { lastAckAt: 0, responses: 0, types: {}, acked: new Set(), held: new Map(), subs: new Map() };
  states.push(state);
  const send = (req: DeltaDiscoveryRequest) => call.write(delta.requestSerialize(req));
  const call = connectionFor(i).openRaw(
    PATH,
    (chunks) => {
      const now = Date.now();
      const res = leanDeltaResponse(chunks);
      let held = state.held.get(res.typeUrl);
      if (!held) state.held.set(res.typeUrl, (held = new Map()));
      for (const r of res.resources) {
        held.set(r.name, r.version);
        if (NEXT[res.typeUrl]) followUps(res.typeUrl, r); // cache while the body is at hand
      }
      for (const n of res.removed) held.delete(n);
      send({ typeUrl: res.typeUrl, responseNonce: res.nonce });
      state.acked.add(res.typeUrl);
      counted(state, res.typeUrl, now);
      const next = NEXT[res.typeUrl];
      if (next && (next !== VHOST || VHDS)) {
        const wanted = new Set<string>();
        for (const [name, version] of held) for (const n of followUps(res.typeUrl, { name, version })) wanted.add(n);
        const subs = state.subs.get(next) ?? new Set<string>();
        const add = [...wanted].filter((n) => !subs.has(n));
        const drop = [...subs].filter((n) => !wanted.has(n));
        if (add.length || drop.length) {
          state.subs.set(next, wanted);
          // Envoy forgets what it unsubscribes from (Pilot need not say it is removed).
          const nextHeld = state.held.get(next);
          for (const n of drop) nextHeld?.delete(n);
          send({ typeUrl: next, resourceNamesSubscribe: add, resourceNamesUnsubscribe: drop });
        }
      }
      maybeReady();
    },
    (err) => reportError(err, i),
  );
  calls.push(call);
  send({ typeUrl: CDS, node } as DeltaDiscoveryRequest);
  send({ typeUrl: LDS });
}

function maybeReady(): void {
  ready(states, (s) => [CDS, EDS, LDS, RDS].every((t) => s.acked.has(t)) && (!(s.subs.get(VHOST)?.size ?? 0) || s.acked.has(VHOST)));
}

serveIpc(states, calls);
openInWaves(open);
