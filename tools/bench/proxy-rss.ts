// Proxy memory: RSS and V8 heap of the built proxy (one hop, ingress mode,
// configured over ADS by an in-process fake Pilot) idle and after load, and
// its throughput, for one or more builds and Node flag sets side by side, in
// one run (variants interleaved per round). Prints a markdown table; with
// --doc, replaces the "## Memory" section of docs/benchmarks/proxy.md.
//
//   node tools/build.mjs proxy
//   npx tsx --tsconfig tsconfig.base.json tools/bench/proxy-rss.ts \
//     [--variant 'name=dist/apps/proxy/main.js|--flag --flag'] ... [--rounds 3] [--seconds 5] [--doc]
//
// Default variants: the build as the local mesh launched proxies before
// (--enable-source-maps; --before <main.js> for an older build) and as it
// launches them now (PROXY_NODE_FLAGS). Needs nginx and wrk. Also measures
// the floor: empty Node processes that only import the proxy's npm packages
// (same flags; --no-floor skips it).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXTENSION_TYPE_URL } from '@sextant/proto';
import { PROXY_NODE_FLAGS } from '../../libs/ctl/local-mesh/src/proxy-flags';
import { FakeAdsServer } from '../../libs/proxy/xds-client/src/testing';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name: string, d: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : d);
const ROUNDS = opt('rounds', 3);
const SECONDS = opt('seconds', 5);
const dir = mkdtempSync(join(tmpdir(), 'proxy-rss-'));
const children: ChildProcess[] = [];
const LOAD_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Variant {
  name: string;
  main: string;
  flags: string[];
}

function variants(): Variant[] {
  const out: Variant[] = [];
  argv.forEach((a, i) => {
    if (a !== '--variant') return;
    const spec = argv[i + 1]!;
    // "name=path|flags": the name may hold '=' (flags), the path may not.
    const bar = spec.indexOf('|');
    const eq = (bar < 0 ? spec : spec.slice(0, bar)).lastIndexOf('=');
    const main = bar < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, bar);
    const flags = bar < 0 ? '' : spec.slice(bar + 1);
    out.push({ name: spec.slice(0, eq), main: resolve(ROOT, main), flags: flags.split(' ').filter(Boolean) });
  });
  if (out.length > 0) return out;
  const main = join(ROOT, 'dist/apps/proxy/main.js');
  const before = argv.includes('--before') ? resolve(argv[argv.indexOf('--before') + 1]!) : main;
  return [
    { name: `before: ${before === main ? '' : 'previous build, '}--enable-source-maps`, main: before, flags: ['--enable-source-maps'] },
    { name: `after: ${PROXY_NODE_FLAGS.join(' ')}`, main, flags: [...PROXY_NODE_FLAGS] },
  ];
}

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

function start(cmd: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(cmd[0]!, cmd.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d));
  child.stderr?.on('data', (d: Buffer) => (out += d));
  child.on('exit', (code) => code && process.stderr.write(`${cmd.join(' ')} exited ${code}\n${out.slice(-2000)}\n`));
  children.push(child);
  return child;
}

/** VmRSS, or with anon=true RssAnon: the private part (file pages such as node's own code are shared by every proxy on the host). */
function rssMb(pid: number, anon = false): number {
  const m = (anon ? /RssAnon:\s+(\d+) kB/ : /VmRSS:\s+(\d+) kB/).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** req/s, and the proxy's CPU (user + sys) per request in microseconds. */
function wrk(port: number, pid: number): { rps: number; us: number } {
  const before = cpuTicks(pid);
  const out = execFileSync('taskset', ['-c', '1', 'wrk', '-t1', '-c32', `-d${SECONDS}s`, '-H', 'Host: svc', `http://127.0.0.1:${port}/index.html`]).toString();
  const reqs = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN), us: reqs > 0 ? (((cpuTicks(pid) - before) / TICK) * 1e6) / reqs : NaN };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Import sets for the floor: what Node costs before any proxy code runs. */
const FLOOR: { name: string; packages: string[] }[] = [
  { name: 'empty Node process', packages: [] },
  { name: 'the mandated stack: @grpc/grpc-js, fastify, pino', packages: ['@grpc/grpc-js', 'fastify', 'pino'] },
  {
    name: '+ what the proxy loads at start now: prom-client, @nats-io/transport-node, @nats-io/kv, @nats-io/jetstream, protobufjs',
    packages: ['@grpc/grpc-js', 'fastify', 'pino', 'prom-client', '@nats-io/transport-node', '@nats-io/kv', '@nats-io/jetstream', 'protobufjs'],
  },
  {
    name: '+ what it loaded before and now loads on demand: @grpc/proto-loader, jose, node-forge, re2js',
    packages: ['@grpc/grpc-js', 'fastify', 'pino', 'prom-client', '@nats-io/transport-node', '@nats-io/kv', '@nats-io/jetstream', 'protobufjs', '@grpc/proto-loader', 'jose', 'node-forge', 're2js'],
  },
];

/** VmRSS, RssAnon and V8 heap used (after a full GC) of a Node process that only imports `packages`; median of 3. */
function floorRow(packages: string[]): { rss: number; anon: number; heap: number } {
  // /proc/self/statm: resident and shared (file-backed) pages; resident - shared is RssAnon. 4 KiB pages.
  const script = `${packages.map((p) => `await import(${JSON.stringify(p)});`).join('')}await new Promise((r) => setTimeout(r, 500));gc();await new Promise((r) => setTimeout(r, 200));const [, res, shared] = (await import('node:fs')).readFileSync('/proc/self/statm', 'utf8').split(' ').map(Number);console.log(JSON.stringify({ rss: res / 256, anon: (res - shared) / 256, heap: process.memoryUsage().heapUsed / 1048576 }));`;
  const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [...PROXY_NODE_FLAGS, '--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT }).toString()) as { rss: number; anon: number; heap: number });
  const med = (k: 'rss' | 'anon' | 'heap') => Math.round(runs.map((r) => r[k]).sort((a, b) => a - b)[1]! * 10) / 10;
  return { rss: med('rss'), anon: med('anon'), heap: med('heap') };
}

function floorTable(): string {
  return [
    `| imports only (\`node ${PROXY_NODE_FLAGS.join(' ')}\`) | VmRSS (MB) | of which RssAnon (MB) | V8 heap used (MB) |`,
    '| --- | --- | --- | --- |',
    ...FLOOR.map((f) => {
      const r = floorRow(f.packages);
      return `| ${f.name} | ${r.rss} | ${r.anon} | ${r.heap} |`;
    }),
  ].join('\n');
}

interface Sample {
  idle: number;
  loaded: number;
  loadedAnon: number;
  settled: number;
  rps: number;
  us: number;
}

async function main(): Promise<void> {
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www/index.html'), 'x'.repeat(1024));
  const upPort = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 4096; }\nhttp { access_log off; keepalive_requests 1000000; server { listen 127.0.0.1:${upPort}; root ${dir}/www; } }\n`);
  start(['nginx', '-c', conf, '-p', dir]);
  await waitPort(upPort);
  const ads = new FakeAdsServer();
  await ads.start();
  const vs = variants();
  const port = await freePort();
  const ROUTER = { name: 'envoy.filters.http.router', typedConfig: { '@type': EXTENSION_TYPE_URL.router } };
  ads.set('cluster', { upstream: { name: 'upstream', type: 'STATIC', connectTimeout: { seconds: 1 }, loadAssignment: { clusterName: 'upstream', endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: upPort } } } }] }] } } }, { push: false });
  ads.set('route', { hop: { name: 'hop', virtualHosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'upstream', timeout: { seconds: 0 } } }] }] } }, { push: false });
  ads.set(
    'listener',
    { hop: { name: 'hop', address: { socketAddress: { address: '127.0.0.1', portValue: port } }, filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: { '@type': EXTENSION_TYPE_URL.httpConnectionManager, statPrefix: 'hop', rds: { routeConfigName: 'hop', configSource: { ads: {} } }, httpFilters: [ROUTER] } }] }] } },
    { push: false },
  );
  const samples = new Map<Variant, Sample[]>(vs.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of vs) {
      if (!existsSync(v.main)) throw new Error(`${v.name}: no bundle at ${v.main}`);
      // Variants run one at a time on the same listener port.
      const [admin, health] = [await freePort(), await freePort()];
      const env = {
        NATS_URL: 'nats://127.0.0.1:1',
        PILOT_ADDRESS: ads.address,
        SEXTANT_ADMIN_PORT: String(admin),
        PROXY_HEALTH_PORT: String(health),
        PROXY_OUTBOUND_PORT: String(await freePort()),
        PROXY_INBOUND_PORT: String(await freePort()),
        SEXTANT_LOG_LEVEL: 'warn',
        PROXY_ACCESS_LOG: 'off',
        PROXY_LISTENER_HOST: '127.0.0.1',
        SEXTANT_ADDRESS: '127.0.0.1',
      };
      const p = start(['taskset', '-c', '0', process.execPath, ...v.flags, v.main, '--mode', 'ingress'], env);
      await waitPort(port);
      await sleep(3_000);
      const idle = rssMb(p.pid!);
      wrk(port, p.pid!); // warm
      const { rps, us } = wrk(port, p.pid!);
      const loaded = rssMb(p.pid!);
      const loadedAnon = rssMb(p.pid!, true);
      await sleep(5_000);
      const settled = rssMb(p.pid!);
      samples.get(v)!.push({ idle, loaded, loadedAnon, settled, rps, us });
      process.stderr.write(`round ${round + 1} ${v.name}: idle ${idle} MB, after load ${loaded} MB (anon ${loadedAnon}), 5 s later ${settled} MB, ${rps} req/s, ${us.toFixed(1)} us CPU per request\n`);
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
  }
  await ads.stop();
  for (const c of children) c.kill('SIGTERM');
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const table = [
    `| build / Node flags | RSS idle (MB) | RSS right after ${SECONDS} s of wrk -c32 (MB) | of which RssAnon (MB) | RSS 5 s later (MB) | proxy CPU per request, us (rounds) | req/s (rounds) |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...vs.map((v) => {
      const s = samples.get(v)!;
      return `| ${v.name} | ${med(s.map((x) => x.idle))} | ${med(s.map((x) => x.loaded))} | ${med(s.map((x) => x.loadedAnon))} | ${med(s.map((x) => x.settled))} | ${med(s.map((x) => x.us)).toFixed(1)} (${s.map((x) => x.us.toFixed(1)).join(', ')}) | ${Math.round(med(s.map((x) => x.rps)))} (${s.map((x) => Math.round(x.rps)).join(', ')}) |`;
    }),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  const floor = argv.includes('--no-floor') ? '' : floorTable();
  if (floor) process.stdout.write(`\n${floor}\n`);
  if (argv.includes('--doc')) {
    const doc = join(ROOT, 'docs/benchmarks/proxy.md');
    const text = readFileSync(doc, 'utf8');
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const section = [
      '## Memory',
      '',
      `Generated by \`tools/bench/proxy-rss.ts\` (${ROUNDS} interleaved rounds, medians; load average ${LOAD_START} at the start, ${load} at the end). Each variant is a fresh one-hop proxy (ingress mode, same ADS config as above, nginx upstream; proxy pinned to CPU 0, wrk to CPU 1); RSS is VmRSS; CPU per request is the proxy's utime + stime over the measured wrk run divided by its requests.`,
      '',
      table,
      '',
      ...(floor ? ['The floor, measured in the same run: Node processes that only import packages, with the same flags (median of 3 each; heap after a full GC).', '', floor, ''] : []),
    ].join('\n');
    const at = text.indexOf('## Memory');
    // The section ends at the next heading or at proxy-hop.ts's "Raw results:" (which has none).
    const ends = at >= 0 ? [text.indexOf('\n## ', at + 1), text.indexOf('\nRaw results:', at + 1)].filter((i) => i >= 0) : [];
    const next = ends.length > 0 ? Math.min(...ends) : -1;
    const out = at >= 0 ? `${text.slice(0, at)}${section}${next >= 0 ? `\n${text.slice(next + 1)}` : ''}` : text.replace('\nRaw results:', `\n${section}\nRaw results:`);
    writeFileSync(doc, out);
  }
}

main().catch((err: unknown) => {
  for (const c of children) c.kill('SIGTERM');
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
