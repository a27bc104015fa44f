// One proxy hop, side by side on this machine: direct to the upstream,
// through one Sextant proxy, through a Sextant sidecar pair, through nginx
// and through HAProxy as the same hop. Max req/s with wrk (keep-alive),
// latency added at a constant 1000 req/s (open loop), proxy CPU per
// 1000 req/s and RSS. Writes docs/benchmarks/proxy.md.
//
//   node tools/build.mjs proxy
//   npx tsx --tsconfig tsconfig.base.json tools/bench/proxy-hop.ts [--rounds 3] [--seconds 10] [--main dist/apps/proxy/main.js]
//
// Needs nginx, haproxy and wrk (apt-get install -y nginx haproxy wrk).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { PROXY_NODE_FLAGS } from '../../libs/ctl/local-mesh/src/proxy-flags';
import { FakeAdsServer } from '../../libs/proxy/xds-client/src/testing';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name: string, d: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d);
const ROUNDS = opt('rounds', 3);
const SECONDS = opt('seconds', 10);
const RATE = opt('rate', 1000);
/** The proxy bundle (--main <path>): dist/apps/proxy/main.js unless given. */
const MAIN = argv.includes('--main') ? resolve(argv[argv.indexOf('--main') + 1]!) : join(ROOT, 'dist/apps/proxy/main.js');
const CONNECTIONS = 32;
const CPU_LOAD = '1';
const CPU_HOP = '0';
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const dir = mkdtempSync(join(tmpdir(), 'proxy-bench-'));
chmodSync(dir, 0o755);
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
}

async function waitPort(port: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} never opened`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(cmd: string[], env: Record<string, string> = {}, cpu?: string): ChildProcess {
  const full = cpu ? ['taskset', '-c', cpu, ...cmd] : cmd;
  const child = spawn(full[0]!, full.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d));
  child.stderr?.on('data', (d: Buffer) => (out += d));
  child.on('exit', (code) => code && code !== 0 && code !== null && process.stderr.write(`${cmd.join(' ')} exited ${code}\n${out.slice(-2000)}\n`));
  children.push(child);
  return child;
}

function ticks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function userSys(pid: number): [number, number] {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return [Number(rest[11]), Number(rest[12])];
}

function wrk(port: number, authority: string, row?: Row): number {
  const before = row?.pids.map(userSys) ?? [];
  const out = execFileSync('taskset', ['-c', CPU_LOAD, 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-H', `Host: ${authority}`, `http://127.0.0.1:${port}/index.html`]).toString();
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const errs = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (errs) process.stderr.write(`wrk ${port}: ${errs[0]}\n`);
  const reqs = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  if (row && row.pids.length > 0 && reqs > 0) {
    let user = 0;
    let sys = 0;
    row.pids.forEach((pid, i) => {
      const [u, s2] = userSys(pid);
      user += u - before[i]![0];
      sys += s2 - before[i]![1];
    });
    const us = { user: (user / TICK / reqs) * 1e6, sys: (sys / TICK / reqs) * 1e6 };
    if (!row.usPerReq || us.user + us.sys < row.usPerReq.user + row.usPerReq.sys) row.usPerReq = us;
  }
  return m ? Number(m[1]) : NaN;
}

interface Rate {
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

function constantRate(port: number, authority: string): Rate {
  const out = execFileSync('timeout', ['60', 'taskset', '-c', CPU_LOAD, process.execPath, join(ROOT, 'tools/bench/proxy-rate.mjs'), '--port', String(port), '--rate', String(RATE), '--seconds', String(SECONDS), '--authority', authority, '--path', '/index.html', '--connections', '32']).toString();
  return JSON.parse(out.trim().split('\n').at(-1)!) as Rate;
}

// --- peers -------------------------------------------------------------------

async function upstreamNginx(): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), 'x'.repeat(1024));
  const conf = join(dir, 'upstream.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${dir}/upstream.pid;\nerror_log ${dir}/upstream-error.log;\nevents { worker_connections 4096; }\nhttp { access_log off; keepalive_requests 1000000; server { listen 127.0.0.1:${port}; root ${dir}/www; } }\n`,
  );
  const p = start(['nginx', '-c', conf, '-p', dir]);
  await waitPort(port);
  return { port, pid: p.pid! };
}

async function nginxHop(up: number): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const conf = join(dir, 'hop-nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${dir}/hop-nginx.pid;\nerror_log ${dir}/hop-nginx-error.log;\nevents { worker_connections 4096; }\nhttp { access_log off; keepalive_requests 1000000; upstream up { server 127.0.0.1:${up}; keepalive 64; keepalive_requests 1000000; } server { listen 127.0.0.1:${port}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }\n`,
  );
  const master = start(['nginx', '-c', conf, '-p', dir], {}, CPU_HOP);
  await waitPort(port);
  const worker = childPids(master.pid!).at(-1) ?? master.pid!;
  return { port, pid: worker };
}

async function haproxyHop(up: number): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    `global\n  nbthread 1\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  option http-keep-alive\n  http-reuse always\nfrontend fe\n  bind 127.0.0.1:${port}\n  default_backend be\nbackend be\n  server up 127.0.0.1:${up}\n`,
  );
  const p = start(['haproxy', '-db', '-f', conf], {}, CPU_HOP);
  await waitPort(port);
  return { port, pid: p.pid! };
}

const ROUTER = { name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } };
const HCM = (statPrefix: string, routes: object) => ({
  name: 'envoy.filters.network.http_connection_manager',
  typedConfig: { '@type': EXTENSION_TYPE_URL.httpConnectionManager, statPrefix, ...routes, httpFilters: [ROUTER] },
});
const STATIC = (name: string, port: number) => ({
  name,
  type: 'STATIC',
  connectTimeout: { seconds: 1 },
  circuitBreakers: { thresholds: [{ maxConnections: { value: 4294967295 }, maxPendingRequests: { value: 4294967295 }, maxRequests: { value: 4294967295 }, maxRetries: { value: 4294967295 } }] },
  loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } } }] }] },
});
const ROUTE_ALL = (cluster: string) => ({ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster, timeout: { seconds: 0 } } }] });

async function sextant(ads: FakeAdsServer, mode: 'ingress' | 'sidecar', ports: Record<string, number>): Promise<{ pid: number }> {
  const admin = await freePort();
  const health = await freePort();
  const env: Record<string, string> = {
    NATS_URL: 'nats://127.0.0.1:1',
    PILOT_ADDRESS: ads.address,
    SEXTANT_ADMIN_PORT: String(admin),
    PROXY_HEALTH_PORT: String(health),
    SEXTANT_LOG_LEVEL: 'warn',
    SEXTANT_LOG_FORMAT: 'json',
    PROXY_ACCESS_LOG: 'off',
    PROXY_LISTENER_HOST: '127.0.0.1',
    SEXTANT_ADDRESS: '127.0.0.1',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  // Launched like the local mesh launches proxies (Node flags included).
  const p = start([process.execPath, ...PROXY_NODE_FLAGS, MAIN, '--mode', mode], env, CPU_HOP);
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const ok = await fetch(`http://127.0.0.1:${health}/healthz/ready`).then((r) => r.ok, () => false);
    if (ok) return { pid: p.pid! };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sextant ${mode} never became ready`);
}

// --- run -----------------------------------------------------------------------

interface Row {
  name: string;
  port: number;
  authority: string;
  pids: number[];
  rps: number[];
  /** Hop CPU microseconds per request at max load (user, sys), best round. */
  usPerReq?: { user: number; sys: number };
  rate?: Rate;
  cpu1000?: number;
  rss?: number;
}

async function main(): Promise<void> {
  const up = await upstreamNginx();
  const ads = new FakeAdsServer();
  await ads.start();
  const hopPort = await freePort();
  const [cOut, cIn, sOut, sIn] = [await freePort(), await freePort(), await freePort(), await freePort()];
  ads.set('cluster', { upstream: STATIC('upstream', up.port), 'outbound|9080||reviews.default.svc.cluster.local': STATIC('outbound|9080||reviews.default.svc.cluster.local', sIn), 'inbound|9080||': STATIC('inbound|9080||', up.port) }, { push: false });
  ads.set('route', { hop: { name: 'hop', virtualHosts: [ROUTE_ALL('upstream')] }, '9080': { name: '9080', virtualHosts: [{ name: 'reviews', domains: ['reviews', 'reviews:9080'], routes: [{ match: { prefix: '/' }, route: { cluster: 'outbound|9080||reviews.default.svc.cluster.local', timeout: { seconds: 0 } } }] }] } }, { push: false });
  ads.set(
    'listener',
    {
      hop: { name: 'hop', address: { socketAddress: { address: '127.0.0.1', portValue: hopPort } }, filterChains: [{ filters: [HCM('hop', { rds: { routeConfigName: 'hop', configSource: { ads: {} } } })] }] },
      '0.0.0.0_9080': { name: '0.0.0.0_9080', address: { socketAddress: { address: '0.0.0.0', portValue: 9080 } }, bindToPort: { value: false }, trafficDirection: 'OUTBOUND', filterChains: [{ filters: [HCM('outbound_0.0.0.0_9080', { rds: { routeConfigName: '9080', configSource: { ads: {} } } })] }] },
      virtualInbound: {
        name: 'virtualInbound',
        address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } },
        useOriginalDst: { value: true },
        trafficDirection: 'INBOUND',
        filterChains: [{ filterChainMatch: { destinationPort: { value: 9080 } }, filters: [HCM('inbound_0.0.0.0_9080', { routeConfig: { name: 'inbound|9080||', virtualHosts: [ROUTE_ALL('inbound|9080||')] } })] }],
      },
    },
    { push: false },
  );
  const hop = await sextant(ads, 'ingress', { PROXY_OUTBOUND_PORT: await freePort(), PROXY_INBOUND_PORT: await freePort() });
  const client = await sextant(ads, 'sidecar', { PROXY_OUTBOUND_PORT: cOut, PROXY_INBOUND_PORT: cIn });
  const server = await sextant(ads, 'sidecar', { PROXY_OUTBOUND_PORT: sOut, PROXY_INBOUND_PORT: sIn });
  await waitPort(hopPort);
  const floorPort = await freePort();
  const floor = start([process.execPath, join(ROOT, 'tools/bench/proxy-floor.mjs'), String(floorPort), String(up.port)], {}, CPU_HOP);
  await waitPort(floorPort);
  const naivePort = await freePort();
  const naive = start([process.execPath, join(ROOT, 'tools/bench/proxy-naive.mjs'), String(naivePort), String(up.port)], {}, CPU_HOP);
  await waitPort(naivePort);
  const ng = await nginxHop(up.port);
  const ha = await haproxyHop(up.port);
  const rows: Row[] = [
    { name: 'direct (nginx upstream, no hop)', port: up.port, authority: 'svc', pids: [], rps: [] },
    { name: 'Sextant proxy (one hop)', port: hopPort, authority: 'svc', pids: [hop.pid], rps: [] },
    { name: 'Sextant sidecar pair (client -> server -> app)', port: cOut, authority: 'reviews:9080', pids: [client.pid, server.pid], rps: [] },
    { name: 'nginx 1.22 (one hop, worker_processes 1)', port: ng.port, authority: 'svc', pids: [ng.pid], rps: [] },
    { name: 'HAProxy 2.6 (one hop, nbthread 1)', port: ha.port, authority: 'svc', pids: [ha.pid], rps: [] },
    { name: 'naive Node proxy (node:http server + http.request, keep-alive agent)', port: naivePort, authority: 'svc', pids: [naive.pid!], rps: [] },
    { name: 'Node floor (llhttp on raw sockets, no proxy logic; `proxy-floor.mjs`)', port: floorPort, authority: 'svc', pids: [floor.pid!], rps: [] },
  ];
  const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (const r of rows) wrk(r.port, r.authority); // warm every path once
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of rows) {
      r.rps.push(wrk(r.port, r.authority, r));
      process.stderr.write(`round ${round + 1}: ${r.name}: ${r.rps.at(-1)} req/s\n`);
    }
  }
  // Constant-rate runs, interleaved like the max req/s rounds; the median round is reported.
  const rateRuns = new Map<Row, { rate: Rate; cpu?: number; rss?: number }[]>(rows.map((r) => [r, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of rows) {
      const before = r.pids.map(ticks);
      const t0 = performance.now();
      const rate = constantRate(r.port, r.authority);
      const secs = (performance.now() - t0) / 1000;
      const run: { rate: Rate; cpu?: number; rss?: number } = { rate };
      if (r.pids.length > 0) {
        const used = r.pids.reduce((s, pid, i) => s + (ticks(pid) - before[i]!), 0) / TICK;
        run.cpu = (used / secs) * (1000 / RATE);
        run.rss = r.pids.reduce((s, pid) => s + rssMb(pid), 0);
      }
      rateRuns.get(r)!.push(run);
      process.stderr.write(`rate round ${round + 1}: ${r.name}: ${JSON.stringify(rate)} cpu/1000rps=${run.cpu?.toFixed(3)} rss=${run.rss}\n`);
    }
  }
  for (const r of rows) {
    const runs = rateRuns.get(r)!;
    const pick = (k: 'p50' | 'p90' | 'p99') => median(runs.map((x) => x.rate[k]));
    r.rate = { ...runs[0]!.rate, requests: runs.reduce((s, x) => s + x.rate.requests, 0), errors: runs.reduce((s, x) => s + x.rate.errors, 0), p50: pick('p50'), p90: pick('p90'), p99: pick('p99') };
    if (r.pids.length > 0) {
      r.cpu1000 = median(runs.map((x) => x.cpu!));
      r.rss = Math.max(...runs.map((x) => x.rss!));
    }
  }
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  report(rows, load0, load1);
  await ads.stop();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function report(rows: Row[], load0: string, load1: string): void {
  const [direct, hop, pair, nginx, haproxy, naive, floor] = rows as [Row, Row, Row, Row, Row, Row, Row];
  const nginxRps = median(nginx.rps);
  const fmt = (x: number | undefined | null, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
  const ms = (r: Row) => `${fmt(r.rate!.p50, 3)} / ${fmt(r.rate!.p90, 3)} / ${fmt(r.rate!.p99, 3)}`;
  const added = (r: Row, k: 'p50' | 'p90') => `${r.rate![k] - direct.rate![k] >= 0 ? '+' : ''}${fmt(r.rate![k] - direct.rate![k], 3)}`;
  const cpu = (r: Row) => (r.usPerReq ? `${fmt(r.usPerReq.user + r.usPerReq.sys, 1)} (${fmt(r.usPerReq.user, 1)} + ${fmt(r.usPerReq.sys, 1)})` : '-');
  const ratio = (r: Row) => (median(r.rps) / nginxRps).toFixed(2);
  const cpuRatio = hop.usPerReq && nginx.usPerReq ? ((nginx.usPerReq.user + nginx.usPerReq.sys) / (hop.usPerReq.user + hop.usPerReq.sys)).toFixed(2) : '-';
  const lines = [
    '# Proxy benchmark: one hop, HTTP/1.1 keep-alive, 1 KiB responses',
    '',
    `Generated by \`tools/bench/proxy-hop.ts\` on ${new Date().toISOString().slice(0, 10)} (\`npx tsx --tsconfig tsconfig.base.json tools/bench/proxy-hop.ts --rounds ${ROUNDS} --seconds ${SECONDS}\`).`,
    '',
    `Machine: ${cpus().length} vCPU (\`nproc\`), ${cpus()[0]?.model ?? 'unknown CPU'}, a VM shared with other engineers' builds and tests (load average ${load0} before the run, ${load1} after); Node ${process.version}, nginx 1.22, HAProxy 2.6, wrk 4 from Debian.`,
    '',
    '## Setup',
    '',
    '- Upstream: nginx serving a 1 KiB static file (one worker, not pinned), so the hop is the bottleneck.',
    '- Every hop is pinned to CPU 0 (`taskset -c 0`), the load generators to CPU 1. nginx runs with `worker_processes 1` and HAProxy with `nbthread 1`, so every hop has one core, like the single-threaded Node proxy. The sidecar pair runs both its proxies on CPU 0.',
    `- Max req/s: \`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s\` (keep-alive), median of ${ROUNDS} interleaved rounds (all rounds shown).`,
    `- Latency: a constant ${RATE} req/s for ${SECONDS} s over ${CONNECTIONS} keep-alive connections (\`tools/bench/proxy-rate.mjs\`: open loop, a late send is timed from its scheduled time), ${ROUNDS} interleaved rounds, median round per percentile.`,
    `- CPU: the hop's utime+stime from /proc. "per request" is at max load (best round); "per 1000 req/s" during the ${RATE} req/s runs (median round). RSS: the largest VmRSS seen after a run (nginx: the worker; pair: both proxies).`,
    `- Sextant is the built proxy (\`node ${PROXY_NODE_FLAGS.join(' ')} dist/apps/proxy/main.js --mode ingress\`, the Node flags the local mesh launches proxies with) configured over ADS by an in-process fake Pilot: listener -> HCM (RDS) -> route -> STATIC cluster, Istio defaults (route timeout 0, peer metadata exchange on, x-request-id generated). The sidecar pair is two built proxies in sidecar mode (explicit capture: client outbound 15001 -> server inbound 15006 -> app), plaintext (the pair with mTLS is measured on the real components in proxy-mtls.md). Access logs are off everywhere.`,
    '- Two references: the naive Node proxy the target names (node:http server + http.request), and `tools/bench/proxy-floor.mjs`, the same I/O building blocks as Sextant\'s fast path with no proxy logic at all (what Node alone costs).',
    '',
    '## Results',
    '',
    '| path | max req/s: median (rounds) | vs nginx | hop CPU per request at max load, us (user + sys) | latency p50 / p90 / p99 ms at 1000 req/s | added p50 / p90 ms | CPU per 1000 req/s (vCPU) | RSS (MB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(median(r.rps))} (${r.rps.map((x) => fmt(x)).join(', ')}) | ${r === direct ? '-' : `${ratio(r)} x`} | ${cpu(r)} | ${ms(r)} | ${r === direct ? '(baseline)' : `${added(r, 'p50')} / ${added(r, 'p90')}`} | ${fmt(r.cpu1000, 3)} | ${fmt(r.rss, 1)} |`,
    ),
    '',
    'p99 on this shared VM is dominated by scheduling noise from other workloads (the direct path\'s own p99 is in the table); compare p50 and p90.',
    '',
    '## Against the targets (DESIGN.md §6)',
    '',
    `| target | measured | met |`,
    `| --- | --- | --- |`,
    `| one hop max req/s >= 0.75 x nginx | ${ratio(hop)} x median (per round: ${hop.rps.map((x, i) => (x / nginx.rps[i]!).toFixed(2)).join(', ')}); per-request CPU ratio ${cpuRatio} (HAProxy ${ratio(haproxy)} x, naive node:http ${ratio(naive)} x, Node floor ${ratio(floor)} x) | ${Number(ratio(hop)) >= 0.75 && Number(cpuRatio) >= 0.75 ? 'yes' : Number(ratio(hop)) >= 0.75 ? 'in this run\'s throughput only: not robustly (the per-request CPU ratio says about half of nginx\'s efficiency; see below)' : 'no'} |`,
    `| proxy CPU <= 0.10 vCPU per 1000 req/s | ${fmt(hop.cpu1000, 3)} (one hop); ${fmt(pair.cpu1000, 3)} for both sidecars of the pair | ${(hop.cpu1000 ?? 1) <= 0.1 ? 'yes' : 'no'} |`,
    `| proxy RSS <= 50 MB | ${fmt(hop.rss, 1)} MB (one hop) | ${(hop.rss ?? 999) <= 50 ? 'yes' : 'no'} |`,
    `| sidecar pair latency added p90 / p99 <= 0.5 / 1.0 ms (with mTLS) | p90 ${added(pair, 'p90')} ms (plaintext); p99 ${fmt(pair.rate!.p99, 3)} ms vs ${fmt(direct.rate!.p99, 3)} ms direct | p90 ${pair.rate!.p90 - direct.rate!.p90 <= 0.5 ? 'yes' : 'no'} (without mTLS); p99 not measurable on this shared VM |`,
    '',
    '## mTLS sidecar pair',
    '',
    'The sidecar pair above is plaintext, configured by a fake Pilot. The pair with mTLS on, on the real components (`sextant up`: Citadel signs every sidecar\'s certificate, Pilot\'s config from Istio YAML with PeerAuthentication STRICT, auto mTLS), measured side by side with direct and a plaintext pair in the same mesh, and checked to be mutual TLS (the app sees the caller\'s SPIFFE ID in X-Forwarded-Client-Cert): [proxy-mtls.md](proxy-mtls.md), generated by `tools/bench/proxy-mtls.ts`, with the §6 latency target met / not met.',
    '',
    '## What limits the one-hop ratio',
    '',
    `Per-request CPU is the stable measure here (throughput moves with whatever else the VM runs; the rounds show it). nginx needs ${cpu(nginx)} us per proxied request. The Node floor, which does only what any Node proxy must (parse with node's llhttp, one write per direction, keep-alive pool), needs ${cpu(floor)} us: the extra user time is V8 and node's C++/JS boundary (parser callbacks, stream handles, GC), the extra kernel time is libuv's I/O pattern for the same four syscalls per request (two reads, two writes; nginx makes five). Sextant needs ${cpu(hop)} us, ${hop.usPerReq && floor.usPerReq ? fmt(hop.usPerReq.user + hop.usPerReq.sys - floor.usPerReq.user - floor.usPerReq.sys, 1) : '-'} us above the floor for what makes it a mesh proxy: route and virtual-host matching, cluster and load balancer, circuit-breaker and retry-budget accounting, header rules, x-request-id, Istio peer-metadata exchange (about 0.5-1 us of it; \`--peer-metadata=false\` turns it off), Istio metrics and Envoy counters. The hot path was tuned with profiles (llhttp consuming the socket handles, head and first body chunk in one write, direct handle writes, one-pass header processing, cached lookups); what remains is spread thin over those features.`,
    '',
    `On a hop that has a core to itself, 0.75 x nginx means at most ${nginx.usPerReq ? fmt((nginx.usPerReq.user + nginx.usPerReq.sys) / 0.75, 1) : '-'} us per request, which is below the Node floor: a single Node event loop cannot meet the target by itself, whatever the proxy logic. The measured ratios sit above the CPU ratio (${hop.usPerReq && nginx.usPerReq ? fmt((nginx.usPerReq.user + nginx.usPerReq.sys) / (hop.usPerReq.user + hop.usPerReq.sys), 2) : '-'}) because the hop shares its core with the unpinned upstream and the rest of the VM. Getting there would take more than one event loop (SO_REUSEPORT workers, which nginx with one worker does not get in this comparison) or a native I/O path.`,
    '',
    `## RSS`,
    '',
    `The one-hop proxy's RSS is ${fmt(hop.rss, 1)} MB after load in the run above, launched with \`${PROXY_NODE_FLAGS.join(' ')}\` ("Memory" below has builds and flags side by side). DESIGN.md §6's 50 MB is below what the mandated stack costs before any proxy code runs. The floor, measured by \`tools/bench/proxy-rss.ts\` on this machine (Node processes with the proxy's flags that only \`await import(...)\` packages, VmRSS after a full GC, median of 3; the table is in "Memory"): an empty Node 20 process is 41 MB, 34-35 MB of it file-backed pages of the node binary that every proxy on a host shares (RssAnon, the private part, 7 MB); importing @grpc/grpc-js, fastify and pino brings it to 59 MB, and prom-client, the NATS client and protobufjs, which the proxy still loads at start, to 63 MB (68 MB with @grpc/proto-loader, jose, node-forge and re2js; proto-loader, jose and re2js load on demand, node-forge at start, for the workload CSR). The proxy adds about 16 MB to that floor: its live JS heap after load is about 20 MB against the floor's 10 MB (heap snapshot: 5.8 MB code objects, i.e. bytecode, feedback vectors and scope infos; 5.6 MB strings, mostly module source texts V8 keeps for lazy compilation, the bundle's 0.4 MB and every package's; Envoy's API reflected from the precomputed descriptor, about 3.5 MB; the fastify admin server with the ajv compiler fastify builds, about 1.7 MB; configuration, metrics and connection state the rest), up to 4 MB of young generation (two 2 MB semi-spaces) and the malloc'd buffers of the gRPC, TLS and HTTP machinery under load. What remains to cut lies outside the proxy's own code: the NATS client (about 1.3 MB of heap and 2-3 MB of RSS; the shared runtime imports it at start, so loading it only when telemetry or workload announcements are configured belongs there), the ajv compiler fastify builds for the admin server (0.7-1.7 MB; its routes declare no schemas) and prom-client's @opentelemetry/api; and, in the proxy, pruning the descriptor to the types reachable from what it decodes (415 of 521 types, about 0.7 MB). Even with all of that, a proxy on this stack stays near 60-65 MB of VmRSS, 25-30 MB of it private.`,
    '',
    'Raw results:',
    '',
    '```json',
    JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, { rps: r.rps, usPerRequest: r.usPerReq, ...r.rate, cpuPer1000: r.cpu1000, rssMb: r.rss }])), null, 2),
    '```',
    '',
  ];
  writeFileSync(join(ROOT, 'docs/benchmarks/proxy.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

try {
  await main();
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
}
