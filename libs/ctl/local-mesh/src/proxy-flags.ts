// Node flags for the proxy processes (sidecars and gateways), measured with
// tools/bench/proxy-rss.ts (docs/benchmarks/proxy.md, "Memory"):
// - a young generation capped at 2 MB semi-spaces instead of growing to 16 MB
//   saves about 25 MB of RSS under load for about 10 % more CPU per request;
// - no --enable-source-maps: loading the bundle's and packages' source maps
//   costs a proxy about 12 MB; stack traces point into the (unminified) bundle.
// - one V8 worker thread instead of one per core (fewer threads, fewer malloc
//   arenas): about 5 MB less, no measurable CPU cost for a single-loop proxy.
// --optimize-for-size saves a few MB more but costs about 35 % CPU: not used.
export const PROXY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--v8-pool-size=1'];

/** Node flags for an app bundle launched by the local mesh. */
export function nodeFlagsFor(bundle: string): string[] {
  return bundle === 'apps/proxy' ? [...PROXY_NODE_FLAGS] : ['--enable-source-maps'];
}
