// Node flags for the proxy processes (sidecars and gateways), measured with
// tools/bench/proxy-rss.ts (docs/benchmarks/proxy.md, "Memory"):
// - a young generation capped at 2 MB semi-spaces instead of growing to 16 MB
//   saves about 25 MB of RSS under load for about 10 % more CPU per request;
// - no --enable-source-maps: loading the bundle's and packages' source maps
//   costs a proxy about 12 MB; stack traces point into the (unminified) bundle.
// - one V8 worker thread instead of one per core (fewer threads, fewer malloc
//   arenas): about 5 MB less, no measurable CPU cost for a single-loop proxy.
// - an old generation capped at 256 MB (the proxy's live heap is about 20 MB
//   with a small config): about 3 MB less RSS at the same CPU per request
//   (V8 sizes and collects a heap this small more tightly); 1024 saves about
//   1 MB. A proxy whose config needs more than 256 MB of heap would stop with
//   "heap out of memory": raise it for such meshes.
// --optimize-for-size saves about 1-3 MB more but costs 5-35 % CPU (by run);
// --max-lazy and --single-threaded-gc save nothing measurable: not used.
export const PROXY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--v8-pool-size=1', '--max-old-space-size=256'];

/** Node flags for an app bundle launched by the local mesh. */
export function nodeFlagsFor(bundle: string): string[] {
  return bundle === 'apps/proxy' ? [...PROXY_NODE_FLAGS] : ['--enable-source-maps'];
}

/** glibc malloc arenas for Pilot (MALLOC_ARENA_MAX), measured with tools/bench/pilot-scale.ts. */
export const PILOT_MALLOC_ARENA_MAX = '2';
