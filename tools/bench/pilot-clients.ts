// Simulated Envoy sidecars for the Pilot scale benchmark (a child process of
// pilot-scale.ts): N raw SotW ADS streams over HTTP/2 (raw-ads-stream.ts;
// requests encoded with the loaded AggregatedDiscoveryService definition,
// responses read without joining their chunks). Each stream behaves like Envoy:
// wildcard CDS and LDS, then EDS for the EDS clusters and RDS for the route
// names the listeners use; every response is ACKed with its version and
// nonce. HTTP/2 windows are large, as Envoy's are (Envoy: 256 MiB; here 16
// MiB), so flow control does not pace pushes. Resource names are read once
// per (type, version) and shared by the
// streams (the streams' own CPU is not what is measured).
//
// IPC in:  { op: 'mark', at }      -> start recording responses after `at`
//          { op: 'report' }        -> send { op: 'report', streams: [{ lastAckAt, responses, types }] }
//          { op: 'stop' }
// IPC out: { op: 'ready', synced } (every stream ACKed CDS, EDS, LDS, RDS once)
import { TYPE_URL, adsServiceDefinition, decodeMessage, type DiscoveryRequest, type DiscoveryResponse__Output } from '@sextant/proto';
import type { LeanResponse, RawStream } from './raw-ads-stream';
import { connectionFor, counted, openInWaves, ready, reportError, serveIpc, simNode, type SimCounters } from './sim-sidecars';

type Any = { type_url?: string; typeUrl?: string; value: Buffer };
const anyUrl = (a: Any) => a.type_url ?? a.typeUrl ?? '';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** Names a response makes a stream subscribe to next (CDS -> EDS, LDS -> RDS), cached per (type, version). */
const namesCache = new Map<string, string[]>();
function followUpNames(lean: LeanResponse): string[] {
  const key = `${lean.typeUrl}|${lean.versionInfo}`;
  let names = namesCache.get(key);
  if (names) return names;
  const res = readResponse(lean.join());
  const out = new Set<string>();
  for (const any of res.resources as unknown as Any[]) {
    if (res.typeUrl === TYPE_URL.cluster) {
      const c = decodeMessage<{ name: string; type?: string; edsClusterConfig?: { serviceName?: string } }>(TYPE_URL.cluster, any.value);
      if (c.type === 'EDS') out.add(c.edsClusterConfig?.serviceName || c.name);
    } else if (res.typeUrl === TYPE_URL.listener) {
      const l = decodeMessage<{ filterChains?: { filters?: { typedConfig?: Any }[] }[]; defaultFilterChain?: { filters?: { typedConfig?: Any }[] } }>(TYPE_URL.listener, any.value);
      for (const chain of [...(l.filterChains ?? []), ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) {
        for (const f of chain.filters ?? []) {
          if (f.typedConfig && anyUrl(f.typedConfig) === HCM) {
            const hcm = decodeMessage<{ rds?: { routeConfigName?: string } }>(HCM, f.typedConfig.value);
            if (hcm.rds?.routeConfigName) out.add(hcm.rds.routeConfigName);
          }
        }
      }
    }
  }
  names = [...out].sort();
  namesCache.set(key, names);
  return names;
}

interface StreamState extends SimCounters {
  acked: Set<string>;
  subscribed: Map<string, string[]>;
}

/**
 * A lean DiscoveryResponse reader: version, type, nonce and each resource's
 * bytes as a view (no copies); Envoy likewise does not copy what it hands to
 * a resource decoder. Only CDS and LDS resources are decoded further, once
 * per version (see followUpNames).
 */
function readResponse(buf: Buffer): DiscoveryResponse__Output {
  let pos = 0;
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
  const out = { versionInfo: '', typeUrl: '', nonce: '', resources: [] as { type_url: string; value: Buffer }[] };
  while (pos < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (wire === 0) {
      varint();
      continue;
    }
    if (wire !== 2) throw new Error(`unexpected wire type ${wire}`);
    const len = varint();
    const start = pos;
    pos += len;
    if (field === 1) out.versionInfo = buf.toString('utf8', start, pos);
    else if (field === 4) out.typeUrl = buf.toString('utf8', start, pos);
    else if (field === 5) out.nonce = buf.toString('utf8', start, pos);
    else if (field === 2) {
      let p = start;
      const any: { type_url: string; value: Buffer } = { type_url: '', value: Buffer.alloc(0) };
      while (p < pos) {
        const t = buf[p++]!;
        let l = 0;
        let m = 1;
        for (;;) {
          const b = buf[p++]!;
          l += (b & 0x7f) * m;
          if (b < 0x80) break;
          m *= 128;
        }
        if (t >>> 3 === 1) any.type_url = buf.toString('utf8', p, p + l);
        else if (t >>> 3 === 2) any.value = buf.subarray(p, p + l);
        p += l;
      }
      out.resources.push(any);
    }
  }
  return out as unknown as DiscoveryResponse__Output;
}

const states: StreamState[] = [];
const Ads = adsServiceDefinition();
const sotw = (Ads.service as unknown as Record<string, { requestSerialize: (r: DiscoveryRequest) => Buffer }>)['StreamAggregatedResources']!;
const calls: RawStream[] = [];

function open(i: number): void {
  const node = simNode(i);
  const state: StreamState = { lastAckAt: 0, responses: 0, acked: new Set(), subscribed: new Map(), types: {} };
  states.push(state);
  const call = connectionFor(i).open(
    (res) => {
      const now = Date.now();
      const names = res.typeUrl === TYPE_URL.cluster || res.typeUrl === TYPE_URL.listener ? followUpNames(res) : undefined;
      send({ typeUrl: res.typeUrl, versionInfo: res.versionInfo, responseNonce: res.nonce, resourceNames: state.subscribed.get(res.typeUrl) ?? [] });
      state.acked.add(res.typeUrl);
      counted(state, res.typeUrl, now);
      if (names) {
        const next = res.typeUrl === TYPE_URL.cluster ? TYPE_URL.endpoint : TYPE_URL.route;
        const before = state.subscribed.get(next);
        if (!before || before.join('\n') !== names.join('\n')) {
          state.subscribed.set(next, names);
          send({ typeUrl: next, resourceNames: names });
        }
      }
      maybeReady();
    },
    (err) => reportError(err, i),
  );
  calls.push(call);
  const send = (req: DiscoveryRequest) => call.write(sotw.requestSerialize(req));
  send({ typeUrl: TYPE_URL.cluster, resourceNames: [], node } as DiscoveryRequest);
  send({ typeUrl: TYPE_URL.listener, resourceNames: [] });
}

const WANT = [TYPE_URL.cluster, TYPE_URL.endpoint, TYPE_URL.listener, TYPE_URL.route];
function maybeReady(): void {
  ready(states, (s) => WANT.every((t) => s.acked.has(t)));
}

serveIpc(states, calls);
openInWaves(open);
