// jose is loaded on first use, when a jwt_authn filter first verifies a token
// or parses a JWKS: most proxies never see one, and importing jose costs
// each of them about 1 MB of RSS (docs/benchmarks/proxy.md, "RSS").
type Jose = typeof import('jose');

let jose: Promise<Jose> | undefined;

/** The jose module (one import per process). */
export function loadJose(): Promise<Jose> {
  jose ??= import('jose');
  return jose;
}
