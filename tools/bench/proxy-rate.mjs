#!/usr/bin/env node
// Constant-rate HTTP/1.1 load (open loop, like wrk2): requests are scheduled
// at fixed intervals over a pool of keep-alive connections, and each
// latency is measured from the request's scheduled time, so a stall is not
// hidden by waiting (no coordinated omission). Prints one JSON line.
// Usage: node proxy-rate.mjs --port P [--host 127.0.0.1] [--rate 1000]
//        [--seconds 10] [--connections 32] [--authority svc] [--path /]
//        [--warmup 2]
import net from 'node:net';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const host = args.host ?? '127.0.0.1';
const port = Number(args.port);
const rate = Number(args.rate ?? 1000);
const seconds = Number(args.seconds ?? 10);
const warmup = Number(args.warmup ?? 2);
const nconn = Number(args.connections ?? 32);
const authority = args.authority ?? 'svc';
const path = args.path ?? '/';
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: proxy-rate\r\n\r\n`, 'latin1');

const latencies = new Float64Array(Math.ceil(rate * seconds) + 16);
let n = 0;
let errors = 0;
let recording = false;

/** A keep-alive connection that parses responses with a known content-length. */
function connection() {
  const c = { sock: net.connect({ host, port, noDelay: true }), busy: false, start: 0, buf: Buffer.alloc(0), ready: false };
  c.sock.on('connect', () => (c.ready = true));
  c.sock.on('error', () => {
    errors++;
    c.ready = false;
  });
  c.sock.on('data', (d) => {
    c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
    for (;;) {
      const end = c.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = c.buf.toString('latin1', 0, end);
      const m = /content-length:\s*(\d+)/i.exec(head);
      const len = m ? Number(m[1]) : 0;
      if (c.buf.length < end + 4 + len) return;
      c.buf = c.buf.subarray(end + 4 + len);
      const ok = head.startsWith('HTTP/1.1 200');
      if (!ok) errors++;
      if (recording && ok) latencies[n++] = performance.now() - c.start;
      c.busy = false;
    }
  });
  return c;
}

const pool = Array.from({ length: nconn }, connection);
await new Promise((r) => setTimeout(r, 300));
let backlog = 0;

function fire(scheduled) {
  const c = pool.find((x) => x.ready && !x.busy);
  if (!c) {
    backlog++;
    return false;
  }
  c.busy = true;
  // On time: latency from the send. Late (waited for a free connection): from the
  // scheduled time, so a stall is not hidden (coordinated omission).
  const now = performance.now();
  c.start = now - scheduled > 1 ? scheduled : now;
  c.sock.write(request);
  return true;
}

async function run(durationS, record) {
  recording = record;
  const interval = 1000 / rate;
  const t0 = performance.now();
  const pending = [];
  let i = 0;
  const total = Math.floor(durationS * rate);
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && t0 + i * interval <= now) {
        pending.push(t0 + i * interval);
        i++;
      }
      while (pending.length > 0 && fire(pending[0])) pending.shift();
      if (i >= total && pending.length === 0) return resolve();
      // Spin (setImmediate): sleeping on timers would add the generator's own wake-up
      // latency to every measurement on a busy machine.
      setImmediate(tick);
    };
    tick();
  });
  // let the last responses arrive
  const end = performance.now() + 2000;
  while (pool.some((c) => c.busy) && performance.now() < end) await new Promise((r) => setTimeout(r, 5));
}

await run(warmup, false);
await run(seconds, true);
for (const c of pool) c.sock.destroy();
const sorted = Array.from(latencies.subarray(0, n)).sort((a, b) => a - b);
const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const round = (x) => Math.round(x * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({ requests: n, errors, backlogged: backlog, p50: round(pct(50)), p90: round(pct(90)), p99: round(pct(99)), max: round(sorted.at(-1) ?? NaN), mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)) })}\n`,
);
