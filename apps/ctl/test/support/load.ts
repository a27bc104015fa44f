// An open-loop load generator: requests start on a fixed schedule (rate per
// second), whether or not earlier ones have answered, so a slow or stalled
// proxy shows up as failures and latency instead of a quietly lower rate.
// Every outcome is kept; failures carry what the client saw (status, the
// proxy's response flags when it tells them, the error).

export interface Outcome {
  ok: boolean;
  status?: number;
  /** Envoy-style response flags the proxy reported (e.g. UO), when visible to the client. */
  flags?: string;
  error?: string;
  /** What answered (instance, version, subset...), for distribution checks. */
  tag?: string;
}

export interface Sample extends Outcome {
  /** Scheduled start, ms since the run began. */
  at: number;
  /** How late it actually started, ms. */
  lag: number;
  ms: number;
}

export interface LoadReport {
  rate: number;
  durationMs: number;
  scheduled: number;
  completed: number;
  /** Requests started per second over the run. */
  startedRate: number;
  /** Answers (of any kind) per second over the run. */
  achievedRate: number;
  failures: Sample[];
  samples: Sample[];
  latency: { p50: number; p99: number; max: number };
  maxLagMs: number;
}

export interface OpenLoop {
  /** Samples so far (live). */
  samples: Sample[];
  /** Stops starting requests, waits for those in flight (up to `drainMs`), and reports. */
  stop(drainMs?: number): Promise<LoadReport>;
}

const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

/**
 * Starts `rate` requests per second of `send` until stopped. The schedule is
 * kept by a 2 ms ticker that starts every request whose time has come, so a
 * busy event loop catches up in bursts rather than dropping requests.
 */
export function openLoop(rate: number, send: (i: number) => Promise<Outcome>): OpenLoop {
  if (!(rate > 0)) throw new Error(`openLoop: rate must be > 0, got ${rate}`);
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let started = 0;
  let stopped = false;
  let stoppedAt = 0;
  const fire = (i: number) => {
    const at = (i * 1000) / rate;
    const begin = performance.now();
    const p = send(i)
      .catch((err: unknown): Outcome => ({ ok: false, error: (err as Error).message }))
      .then((o) => {
        samples.push({ ...o, at, lag: begin - t0 - at, ms: performance.now() - begin });
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const tick = () => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - t0) * rate) / 1000) + 1;
    while (started < due) fire(started++);
  };
  const timer = setInterval(tick, 2);
  tick();
  return {
    samples,
    async stop(drainMs = 20_000): Promise<LoadReport> {
      stopped = true;
      stoppedAt = performance.now();
      clearInterval(timer);
      const deadline = new Promise((r) => setTimeout(r, drainMs).unref());
      await Promise.race([Promise.all([...inFlight]), deadline]);
      const durationMs = stoppedAt - t0;
      const lat = samples.map((s) => s.ms).sort((a, b) => a - b);
      const unanswered = started - samples.length;
      const failures = samples.filter((s) => !s.ok);
      for (let k = 0; k < unanswered; k++) failures.push({ ok: false, error: `no answer within ${drainMs} ms of the end`, at: durationMs, lag: 0, ms: drainMs });
      return {
        rate,
        durationMs,
        scheduled: started,
        completed: samples.length,
        startedRate: (started * 1000) / durationMs,
        achievedRate: (samples.length * 1000) / (performance.now() - t0),
        failures,
        samples,
        latency: { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), max: lat.at(-1) ?? 0 },
        maxLagMs: samples.reduce((m, s) => Math.max(m, s.lag), 0),
      };
    },
  };
}

/** A short, readable summary of failures for assertion messages. */
export function describeFailures(report: LoadReport, max = 10): string {
  const byKind = new Map<string, number>();
  for (const f of report.failures) {
    const k = `${f.status ?? '-'} ${f.flags ?? ''} ${f.error ?? ''}`.trim();
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  return [...byKind.entries()]
    .slice(0, max)
    .map(([k, n]) => `${n} x ${k}`)
    .join('; ');
}
