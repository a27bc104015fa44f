// The sidecar-pair benchmark of docs/benchmarks/proxy.md re-run with mTLS on
// (issue 6), on the real components: `sextant up` runs NATS, Citadel (which
// signs every sidecar's certificate, bootstrap tokens minted by the runner),
// Pilot (config from Istio YAML: PeerAuthentication STRICT for namespace
// default) and the built proxies. Side by side in one run: direct to the app,
// a plaintext sidecar pair (its server workload has a workload-level
// PeerAuthentication DISABLE, and a DestinationRule tls DISABLE) and an mTLS
// sidecar pair (auto mTLS: ISTIO_MUTUAL with SDS `default`/`ROOTCA`). Every
// app is nginx serving 1 KiB. Max req/s with wrk, latency at a constant
// 1000 req/s (open loop), CPU per 1000 req/s and RSS of both proxies.
// Writes docs/benchmarks/proxy-mtls.md.
//
//   node tools/build.mjs ctl proxy pilot citadel galley telemetry
//   npx tsx --tsconfig tsconfig.base.json tools/bench/proxy-mtls.ts [--rounds 8] [--seconds 3] [--dist <dir with apps/*/main.js>]
//   ... tools/bench/proxy-mtls.ts --from <result.json of a run>   (the report again, from a run's raw results)
//
// The bundles are copied to a private root first, so a rebuild by someone
// else during the run does not change what is measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fmtTable, mtlsEvidence, type Evidence, type ReportInput } from './proxy-mtls-report';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name: string, d: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d);
const ROUNDS = opt('rounds', 8);
const SECONDS = opt('seconds', 3);
const RATE = opt('rate', 1000);
const DIST = argv.includes('--dist') ? resolve(argv[argv.indexOf('--dist') + 1]!) : join(ROOT, 'dist');
const OUT = join(ROOT, 'docs/benchmarks/proxy-mtls.md');
const CONNECTIONS = 32;
/** Seconds of proxy-rate.mjs warm-up before it records (same rate, same connections). */
const WARMUP = 2;
const CPU_LOAD = '1';
const CPU_HOP = '0';
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const dir = mkdtempSync(join(tmpdir(), 'proxy-mtls-'));
chmodSync(dir, 0o755);
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

// --- a private root with a snapshot of the bundles --------------------------------

function snapshotRoot(): { root: string; commit: string } {
  const root = join(dir, 'root');
  mkdirSync(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'sextant', private: true, type: 'module' }));
  // A private node_modules too (hard links where the file system allows): the checkout's
  // may be reinstalled by someone else during the run.
  try {
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(root, 'node_modules')], { stdio: 'ignore' });
  } catch {
    execFileSync('rm', ['-rf', join(root, 'node_modules')]);
    execFileSync('cp', ['-a', join(ROOT, 'node_modules'), join(root, 'node_modules')]);
  }
  cpSync(DIST, join(root, 'dist'), { recursive: true });
  const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const commit = `${relative(ROOT, DIST) || '.'}/ as built at ${statSync(join(DIST, 'apps/proxy/main.js')).mtime.toISOString().slice(0, 19)}Z (HEAD ${head})`;
  return { root, commit };
}

// --- the mesh ---------------------------------------------------------------------

const NS = 'default';
const WORKLOADS = ['client-plain', 'server-plain', 'client-mtls', 'server-mtls'];

function writeMeshFiles(): string {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), 'x'.repeat(1024));
  chmodSync(www, 0o755);
  // The app: nginx (one worker) on the workload's app address, 1 KiB static file,
  // and /xfcc answering with the X-Forwarded-Client-Cert header it was given.
  const app = join(dir, 'nginx-app.sh');
  writeFileSync(
    app,
    [
      '#!/bin/sh',
      'set -e',
      `d=${dir}/nginx-$SEXTANT_INSTANCE`,
      'mkdir -p "$d"',
      'cat > "$d/nginx.conf" <<EOF',
      'worker_processes 1;',
      'daemon off;',
      'pid $d/nginx.pid;',
      'error_log $d/error.log;',
      'events { worker_connections 4096; }',
      `http { access_log off; keepalive_requests 1000000; server { listen $SEXTANT_ADDRESS:8080; root ${www}; location = /xfcc { default_type text/plain; return 200 "xfcc=\\$http_x_forwarded_client_cert\\n"; } } }`,
      'EOF',
      'exec nginx -c "$d/nginx.conf" -p "$d"',
      '',
    ].join('\n'),
  );
  chmodSync(app, 0o755);
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: ${NS} }
spec: { mtls: { mode: STRICT } }
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: server-plain, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: server-plain } }
  mtls: { mode: DISABLE }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: server-plain, namespace: ${NS} }
spec:
  host: server-plain.${NS}.svc.cluster.local
  trafficPolicy: { tls: { mode: DISABLE } }
`,
  );
  const file = join(dir, 'workloads.yaml');
  writeFileSync(
    file,
    `config: [${policy}]\nworkloads:\n${WORKLOADS.map(
      (w) => `  - name: ${w}\n    service: ${w}\n    serviceAccount: ${w}\n    labels: { app: ${w}, version: v1 }\n    ports: [{ name: http, port: 8080, protocol: HTTP }]\n    command: [${app}]\n`,
    ).join('')}`,
  );
  return file;
}

interface Instance {
  name: string;
  instance: string;
  address: string;
  appAddress: string;
  pid: number;
  sidecarPid: number;
}

function sextant(root: string, args: string[], timeoutMs = 120_000): string {
  const r = spawnSync(process.execPath, [join(root, 'dist/apps/ctl/main.js'), ...args], { cwd: root, env: { ...process.env, SEXTANT_HOME: join(dir, 'home') }, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`sextant ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

// --- measuring --------------------------------------------------------------------

function userSys(pid: number): [number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return [Number(rest[11]), Number(rest[12])];
}
const ticks = (pid: number) => userSys(pid).reduce((a, b) => a + b, 0);
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

export interface Rate {
  requests: number;
  errors: number;
  backlogged: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface Row {
  name: string;
  host: string;
  port: number;
  authority: string;
  /** [client sidecar, server sidecar] */
  pids: number[];
  rps: number[];
  usPerReq: number[];
  rates: Rate[];
  /** vCPU per 1000 req/s of each proxy, per round. */
  cpu1000: number[][];
  /** VmRSS (MB) of each proxy after each constant-rate run. */
  rss: number[][];
}

function wrk(r: Row): void {
  const before = r.pids.map(ticks);
  const out = execFileSync('taskset', ['-c', CPU_LOAD, 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-H', `Host: ${r.authority}`, `http://${r.host}:${r.port}/index.html`]).toString();
  const errs = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (errs) log(`wrk ${r.name}: ${errs[0]}`);
  const reqs = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  r.rps.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN));
  if (r.pids.length && reqs) r.usPerReq.push((r.pids.reduce((s, pid, i) => s + ticks(pid) - before[i]!, 0) / TICK / reqs) * 1e6);
}

function constantRate(r: Row): void {
  const before = r.pids.map(ticks);
  const out = execFileSync('timeout', ['60', 'taskset', '-c', CPU_LOAD, process.execPath, join(ROOT, 'tools/bench/proxy-rate.mjs'), '--host', r.host, '--port', String(r.port), '--rate', String(RATE), '--seconds', String(SECONDS), '--authority', r.authority, '--path', '/index.html', '--connections', String(CONNECTIONS), '--warmup', String(WARMUP)]).toString();
  r.rates.push(JSON.parse(out.trim().split('\n').at(-1)!) as Rate);
  if (r.pids.length) {
    // CPU seconds per request (the run sends RATE x (WARMUP + SECONDS) requests) x 1000 = vCPU at 1000 req/s.
    const sent = RATE * (WARMUP + SECONDS);
    r.cpu1000.push(r.pids.map((pid, i) => ((ticks(pid) - before[i]!) / TICK / sent) * 1000));
    r.rss.push(r.pids.map(rssMb));
  }
}

/** One request to host:port with the given Host header (node:http: fetch would not send our Host); status and body. */
function get(host: string, port: number, authority: string, path: string, extra: Record<string, string> = {}): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((ok) => {
    const req = http.get({ host, port, path, headers: { host: authority, ...extra }, agent: false, timeout: 5000 }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (b += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: b.trim() }));
      res.on('error', (err) => ok({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')));
    req.on('error', (err: Error & { code?: string }) => ok({ error: err.code ?? err.message }));
  });
}

async function evidence(w: Record<string, Instance>): Promise<Evidence> {
  const viaMtls = await get(w['client-mtls']!.address, 15001, 'server-mtls:8080', '/xfcc');
  const viaPlain = await get(w['client-plain']!.address, 15001, 'server-plain:8080', '/xfcc');
  const plaintextToStrict = await get(w['server-mtls']!.address, 8080, 'server-mtls:8080', '/xfcc');
  const certsOf = (a: string) => fetch(`http://${a}:15000/certs`).then((r) => r.json() as Promise<Evidence['serverCerts']>, (err: Error) => ({ state: `unreachable: ${err.message}` }));
  const certs = await certsOf(w['server-mtls']!.address);
  const clientCerts = await certsOf(w['client-mtls']!.address);
  return { viaMtls, viaPlain, plaintextToStrict, serverCerts: certs, clientCerts };
}

async function main(): Promise<void> {
  const { root, commit } = snapshotRoot();
  const file = writeMeshFiles();
  log(`sextant up (home ${dir}/home)`);
  // Another engineer's mesh starting at the same moment can take a default port between
  // the check and the bind (the allocator falls back only to ports busy when it checks): retry.
  for (let attempt = 1; ; attempt++) {
    try {
      sextant(root, ['up', '-d', '-w', file], 300_000);
      break;
    } catch (err) {
      try {
        sextant(root, ['down']);
      } catch {
        /* nothing up */
      }
      if (attempt === 3) throw err;
      log(`sextant up failed (attempt ${attempt}), retrying: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
    }
  }
  try {
    const status = JSON.parse(sextant(root, ['status', '-o', 'json'])) as { workloads: Instance[] };
    const w = Object.fromEntries(status.workloads.map((x) => [x.name, x])) as Record<string, Instance>;
    for (const x of status.workloads) execFileSync('taskset', ['-a', '-p', '-c', CPU_HOP, String(x.sidecarPid)], { stdio: 'ignore' });
    // Until the STRICT and DISABLE policies reached both pairs: mTLS shows in the app, plaintext does not.
    let ev = await evidence(w);
    const until = Date.now() + 60_000;
    while (Date.now() < until && !(mtlsEvidence(ev).mtls && mtlsEvidence(ev).plain && mtlsEvidence(ev).strictRefusesPlaintext)) {
      await new Promise((r) => setTimeout(r, 500));
      ev = await evidence(w);
    }
    log(`evidence: ${JSON.stringify(mtlsEvidence(ev))}`);
    const pair = (kind: 'plain' | 'mtls'): Row => ({
      name: kind === 'mtls' ? 'sidecar pair, mTLS (STRICT, ISTIO_MUTUAL)' : 'sidecar pair, plaintext (DISABLE)',
      host: w[`client-${kind}`]!.address,
      port: 15001,
      authority: `server-${kind}:8080`,
      pids: [w[`client-${kind}`]!.sidecarPid, w[`server-${kind}`]!.sidecarPid],
      rps: [],
      usPerReq: [],
      rates: [],
      cpu1000: [],
      rss: [],
    });
    const rows: Row[] = [
      { name: 'direct (nginx app, no proxy)', host: w['server-mtls']!.appAddress, port: 8080, authority: 'server-mtls:8080', pids: [], rps: [], usPerReq: [], rates: [], cpu1000: [], rss: [] },
      pair('plain'),
      pair('mtls'),
    ];
    /** upstream_cx_total of a client sidecar's cluster for its server (each new mTLS connection is a handshake). */
    const cxTotal = async (kind: string) => {
      const text = await fetch(`http://${w[`client-${kind}`]!.address}:15000/stats`).then((r) => r.text(), () => '');
      const m = new RegExp(`^cluster\\.outbound\\|8080\\|\\|server-${kind}\\.[^:]*\\.upstream_cx_total: (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    const cx0 = { plain: await cxTotal('plain'), mtls: await cxTotal('mtls') };
    const load0 = loadavg();
    const idleRss = rows.map((r) => r.pids.map(rssMb));
    for (const r of rows) wrk({ ...r, rps: [], usPerReq: [] }); // warm every path once
    for (let round = 0; round < ROUNDS; round++) {
      for (const r of rows) {
        constantRate(r);
        log(`round ${round + 1} ${r.name}: ${JSON.stringify(r.rates.at(-1))} cpu/1000=${JSON.stringify(r.cpu1000.at(-1)?.map((x) => x.toFixed(3)))} load ${loadavg()}`);
      }
      for (const r of rows) {
        wrk(r);
        log(`round ${round + 1} ${r.name}: ${r.rps.at(-1)} req/s, ${r.usPerReq.at(-1)?.toFixed(1)} us/req`);
      }
    }
    const evAfter = await evidence(w);
    const upstreamConnections = { plain: (await cxTotal('plain')) - cx0.plain, mtls: (await cxTotal('mtls')) - cx0.mtls };
    const load1 = loadavg();
    const input: ReportInput = { rows, idleRss, upstreamConnections, evidence: ev, evidenceAfter: evAfter, load0, load1, commit, rounds: ROUNDS, seconds: SECONDS, rate: RATE, connections: CONNECTIONS, machine: `${cpus().length} vCPU (\`nproc\`), ${cpus()[0]?.model ?? 'unknown CPU'}`, node: process.version, at: new Date().toISOString() };
    writeFileSync(join(dir, 'result.json'), JSON.stringify(input, null, 1));
    log(`raw results: ${join(dir, 'result.json')} (--from <file> rewrites the report from them)`);
    writeReport(input);
  } finally {
    try {
      sextant(root, ['down']);
    } catch (err) {
      log(`sextant down: ${(err as Error).message}`);
    }
  }
}

function writeReport(input: ReportInput): void {
  const text = fmtTable(input);
  writeFileSync(OUT, text);
  process.stdout.write(text);
}

if (argv.includes('--from')) writeReport(JSON.parse(readFileSync(argv[argv.indexOf('--from') + 1]!, 'utf8')) as ReportInput);
else await main();
