// `sextant proxy-status [PROXY]`: istioctl's proxy-status against Pilot's
// /debug/syncz. One row per connected proxy with each xDS type SYNCED,
// STALE (sent, not acknowledged yet), NOT SENT or NACKED; with PROXY, each
// type's versions and nonces and the client's NACK text.
import type { Command } from 'commander';
import { runningMesh, table } from '@sextant/local-mesh';
import { stateDir } from '../paths';

/** One connection as /debug/syncz reports it (the fields the CLI reads). */
export interface SyncEntry {
  proxy: string;
  connectionId: string;
  protocol: string;
  peer: string;
  userAgent: string;
  namespace?: string;
  connectedSince: string;
  pushVersion?: string;
  pushPending: boolean;
  types: Record<string, TypeSync>;
}

export interface TypeSync {
  typeUrl: string;
  sync: 'SYNCED' | 'STALE' | 'NOT SENT' | 'NACKED';
  subscribed: string[];
  wildcard: boolean;
  resources: number;
  versionSent?: string;
  nonceSent?: string;
  versionAcked?: string;
  nonceAcked?: string;
  lastNack?: { version: string; nonce: string; clientVersion: string; message: string; at: string };
}

export const XDS_TYPES = ['cds', 'lds', 'eds', 'rds', 'sds'] as const;
/** Types shown in a proxy's detail view (VHDS: a Delta client's virtual hosts, when it uses them). */
const DETAIL_TYPES = [...XDS_TYPES, 'vhds'] as const;

const SEVERITY: readonly TypeSync['sync'][] = ['SYNCED', 'NOT SENT', 'STALE', 'NACKED'];

/** A type's cell in the table; RDS folds in VHDS (a route table is its configuration plus its virtual hosts). */
function cell(e: SyncEntry, t: (typeof XDS_TYPES)[number]): TypeSync['sync'] {
  const own = e.types[t]?.sync ?? 'NOT SENT';
  const hosts = t === 'rds' ? e.types['vhds']?.sync : undefined;
  if (!hosts) return own;
  return SEVERITY.indexOf(hosts) > SEVERITY.indexOf(own) && !(hosts === 'NOT SENT' && own === 'SYNCED') ? hosts : own;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Pilot's admin URL: --pilot-admin, SEXTANT_PILOT_ADMIN, or the local mesh's pilot. */
export function pilotAdminUrl(flag: string | undefined): string {
  const explicit = flag ?? process.env['SEXTANT_PILOT_ADMIN'];
  if (explicit) return explicit.replace(/\/+$/, '');
  const pilot = runningMesh(stateDir())?.components.find((c) => c.name === 'pilot');
  if (!pilot?.ports['admin']) throw new CliError('No Pilot to ask: start the local mesh (`sextant up`) or pass --pilot-admin http://HOST:PORT.');
  return `http://${pilot.host}:${pilot.ports['admin']}`;
}

export async function pilotGet<T>(admin: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${admin}${path}`, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new CliError(`Pilot at ${admin} did not answer: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => undefined)) as (T & { error?: string }) | undefined;
  if (!res.ok) throw new CliError(`Pilot answered ${res.status} for ${path}: ${body?.error ?? res.statusText}`);
  return body as T;
}

/** Istio's short workload name: "pod.namespace" from "type~ip~pod.namespace~domain"; other ids as they are. */
export function displayName(id: string): string {
  const parts = id.split('~');
  return parts.length === 4 ? parts[2]! : id;
}

/** The connections a user's PROXY names: the full node id, "pod.namespace", or the pod name. */
export function matchProxy(entries: readonly SyncEntry[], wanted: string): SyncEntry[] {
  const exact = entries.filter((e) => e.proxy === wanted);
  if (exact.length) return exact;
  const byName = entries.filter((e) => displayName(e.proxy) === wanted);
  if (byName.length) return byName;
  return entries.filter((e) => displayName(e.proxy).split('.')[0] === wanted);
}

/** Resolves PROXY to one node id among the connected proxies; errors say what is connected. */
export async function resolveProxy(admin: string, wanted: string): Promise<string> {
  const entries = await pilotGet<SyncEntry[]>(admin, '/debug/syncz');
  const ids = [...new Set(matchProxy(entries, wanted).map((e) => e.proxy))];
  if (ids.length === 1) return ids[0]!;
  if (ids.length > 1) throw new CliError(`${wanted} matches several proxies: ${ids.join(', ')}; give the full id`);
  const known = [...new Set(entries.map((e) => displayName(e.proxy)))].slice(0, 20);
  throw new CliError(`No connected proxy matches ${JSON.stringify(wanted)}.${known.length ? ` Connected: ${known.join(', ')}` : ' No proxy is connected to Pilot.'}`);
}

export function formatStatusTable(entries: readonly SyncEntry[]): string {
  const rows = [['NAME', 'CDS', 'LDS', 'EDS', 'RDS', 'SDS', 'PROTOCOL', 'VERSION']];
  for (const e of [...entries].sort((a, b) => displayName(a.proxy).localeCompare(displayName(b.proxy)))) {
    rows.push([displayName(e.proxy), ...XDS_TYPES.map((t) => cell(e, t)), e.protocol.toUpperCase(), e.userAgent || '-']);
  }
  return table(rows);
}

const short = (s: string | undefined) => (s === undefined || s === '' ? '-' : s);

export function formatProxyDetail(entries: readonly SyncEntry[]): string {
  const out: string[] = [];
  for (const e of entries) {
    out.push(`Proxy:      ${e.proxy}`);
    out.push(`Connection: ${e.connectionId} (${e.protocol}) from ${e.peer} since ${e.connectedSince}; ${e.userAgent || 'unknown agent'}`);
    if (e.pushVersion) out.push(`Pilot push: ${e.pushVersion}${e.pushPending ? ' (a push is queued for this proxy)' : ''}`);
    out.push('');
    const rows = [['TYPE', 'STATUS', 'RESOURCES', 'SENT VERSION', 'SENT NONCE', 'ACKED VERSION', 'ACKED NONCE']];
    for (const t of DETAIL_TYPES) {
      if (t === 'vhds' && !e.types[t]) continue;
      const s = e.types[t];
      rows.push([t.toUpperCase(), s?.sync ?? 'NOT SENT', String(s?.resources ?? 0), short(s?.versionSent), short(s?.nonceSent), short(s?.versionAcked), short(s?.nonceAcked)]);
    }
    out.push(table(rows));
    for (const t of DETAIL_TYPES) {
      const nack = e.types[t]?.lastNack;
      if (!nack || e.types[t]!.sync !== 'NACKED') continue;
      out.push('', `${t.toUpperCase()} NACKED version ${nack.version} (nonce ${nack.nonce}) at ${nack.at}; the client keeps version ${short(nack.clientVersion)}:`);
      out.push(...nack.message.split('\n').map((l) => `  ${l}`));
    }
    out.push('');
  }
  return out.join('\n');
}

export function checkOutput(output: string): void {
  if (!['table', 'json'].includes(output)) throw new CliError(`--output must be table or json, got ${JSON.stringify(output)}`, 2);
}

/** Runs a command body, printing a CliError as one line on stderr with its exit code. */
export async function runCli(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = err.exitCode;
  }
}

export function registerProxyStatus(program: Command): void {
  program
    .command('proxy-status [proxy]')
    .alias('ps')
    .description("xDS sync state of every proxy connected to Pilot (CDS, LDS, EDS, RDS, SDS); with PROXY, versions, nonces and NACK text")
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--pilot-admin <url>', "Pilot's admin URL (default: the local mesh's Pilot)")
    .action((proxy: string | undefined, opts: { output: string; pilotAdmin?: string }) =>
      runCli(async () => {
        checkOutput(opts.output);
        const admin = pilotAdminUrl(opts.pilotAdmin);
        let entries = await pilotGet<SyncEntry[]>(admin, '/debug/syncz');
        if (proxy) {
          entries = matchProxy(entries, proxy);
          if (entries.length === 0) await resolveProxy(admin, proxy); // throws with what is connected
        }
        if (opts.output === 'json') process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        else process.stdout.write(`${proxy ? formatProxyDetail(entries) : formatStatusTable(entries)}\n`);
      }),
    );
}
