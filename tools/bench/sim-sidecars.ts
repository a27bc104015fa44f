// What the two simulated-sidecar processes of the Pilot scale benchmark
// share (pilot-clients.ts speaks SotW, pilot-delta-clients.ts Delta): their
// arguments, the raw HTTP/2 connections, each stream's node identity and
// counters, the IPC with pilot-scale.ts, and opening streams in waves.
//
// IPC in:  { op: 'mark', at }  -> count responses from `at` on
//          { op: 'report' }    -> { op: 'report', streams: [{ lastAckAt, responses, types }] }
//          { op: 'stop' }
// IPC out: { op: 'ready', synced } (see `ready`), { op: 'error', stream?, message }
import { RawAdsConnection, type RawStream } from './raw-ads-stream';

const argv = process.argv.slice(2);
export const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
export const ADDRESS = arg('address', '127.0.0.1:15010');
export const STREAMS = Number(arg('streams', '2000'));
export const NAMESPACES = Number(arg('namespaces', '10'));
const CHANNELS = Number(arg('channels', '40'));

export const reportError = (err: Error, stream?: number): void => void process.send?.({ op: 'error', stream, message: err.message });
/** 40 connections of 50 streams each (real sidecars have one each). */
export const connections = Array.from({ length: CHANNELS }, () => new RawAdsConnection(ADDRESS, (err) => reportError(err)));
export const connectionFor = (i: number): RawAdsConnection => connections[i % CHANNELS]!;

/** Stream i's node: Istio's id form, distinct IPs, 2000 / NAMESPACES per namespace; `extra` metadata fields added. */
export function simNode(i: number, extra: Record<string, unknown> = {}) {
  const ns = `ns-${i % NAMESPACES}`;
  const ip = `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  const fields = { NAMESPACE: { stringValue: ns }, INSTANCE_IPS: { stringValue: ip }, LABELS: { structValue: { fields: { app: { stringValue: `sim-${i % 50}` } } } }, ...extra };
  return { id: `sidecar~${ip}~sim-${i}.${ns}~${ns}.svc.cluster.local`, cluster: `sim-${i}.${ns}`, metadata: { fields }, userAgentName: 'envoy' };
}

/** What a stream reports: its last ACK since the mark, and the responses it ACKed since, by type. */
export interface SimCounters {
  lastAckAt: number;
  responses: number;
  types: Record<string, number>;
}

let markAt = Number.POSITIVE_INFINITY;

/** Counts an ACKed response of `typeUrl` at `now` (when after the mark). */
export function counted(c: SimCounters, typeUrl: string, now: number): void {
  if (now < markAt) return;
  c.lastAckAt = now;
  c.responses++;
  const t = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  c.types[t] = (c.types[t] ?? 0) + 1;
}

let reportedReady = false;

/** Tells pilot-scale.ts once, when every one of the STREAMS streams is `done`. */
export function ready<S>(states: readonly S[], done: (s: S) => boolean): void {
  if (reportedReady || states.length < STREAMS || !states.every(done)) return;
  reportedReady = true;
  process.send?.({ op: 'ready', synced: states.length });
}

/** Answers pilot-scale.ts's mark, report and stop. */
export function serveIpc(states: readonly SimCounters[], calls: readonly RawStream[]): void {
  process.on('message', (m: { op: string; at?: number }) => {
    if (m.op === 'mark') {
      markAt = m.at!;
      for (const s of states) {
        s.lastAckAt = 0;
        s.responses = 0;
        s.types = {};
      }
    } else if (m.op === 'report') {
      process.send?.({ op: 'report', streams: states.map((s) => ({ lastAckAt: s.lastAckAt, responses: s.responses, types: s.types })) });
    } else if (m.op === 'stop') {
      for (const c of calls) c.close();
      for (const c of connections) c.close();
      setTimeout(() => process.exit(0), 200);
    }
  });
}

/** Opens STREAMS streams 100 at a time every 50 ms, like proxies starting over a few seconds. */
export function openInWaves(open: (i: number) => void): void {
  let opened = 0;
  const wave = () => {
    for (let k = 0; k < 100 && opened < STREAMS; k++) open(opened++);
    if (opened < STREAMS) setTimeout(wave, 50);
  };
  wave();
}
