// Returning memory after a burst of work, once the process is idle.
//
// V8 collects lazily: after a push to 2000 proxies Pilot's heap holds the
// push's garbage (and the encoded buffers it dropped, outside the heap) until
// allocation pressure makes V8 collect, so resident memory climbs by 20-30 MB
// per push and stays there while nothing happens. Like the JVM's periodic G1
// collection, this runs one full collection when the event loop has been
// nearly idle for a while and the heap plus external memory grew by a margin
// since the last one; a busy process is never interrupted by it.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleGcOptions {
  /** How often to look (default 1 s). */
  intervalMs?: number;
  /** Collect only when the event loop was busy less than this share of the last interval (default 0.05). */
  maxUtilization?: number;
  /** Collect only when heap used plus external memory grew by this much since the last collection (default 32 MB). */
  minGrowthBytes?: number;
  /** Told about each collection (for a debug log line and a metric). */
  onCollect?: (info: { freedBytes: number; ms: number }) => void;
}

export interface IdleGc {
  stop(): void;
  readonly stats: { collections: number; freedBytes: number };
}

let gcFunction: (() => void) | undefined;

/** V8's gc(), without starting node with --expose-gc (a context created after the flag is set has it). */
function collector(): () => void {
  if (!gcFunction) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) gcFunction = existing;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  return gcFunction;
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

export function startIdleGc(options: IdleGcOptions = {}): IdleGc {
  const { intervalMs = 1_000, maxUtilization = 0.05, minGrowthBytes = 32 * 1024 * 1024, onCollect } = options;
  const gc = collector();
  const stats = { collections: 0, freedBytes: 0 };
  let base = used();
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const before = used();
    if (before < base) base = before;
    if (busy > maxUtilization || before - base < minGrowthBytes) return;
    const t0 = performance.now();
    gc();
    const after = used();
    base = after;
    last = performance.eventLoopUtilization();
    stats.collections++;
    stats.freedBytes += Math.max(0, before - after);
    onCollect?.({ freedBytes: Math.max(0, before - after), ms: performance.now() - t0 });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), stats };
}
