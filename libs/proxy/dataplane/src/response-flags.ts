// Envoy's response flags, as a bit set on the data path and as Envoy's
// short codes ("UF,URX") in logs and metrics.
export const FLAG = {
  /** No healthy upstream host. */
  UH: 1 << 0,
  /** Upstream connection failure. */
  UF: 1 << 1,
  /** Upstream overflow (circuit breaking). */
  UO: 1 << 2,
  /** No route configured for the request. */
  NR: 1 << 3,
  /** Upstream retry limit exceeded. */
  URX: 1 << 4,
  /** Upstream request timeout. */
  UT: 1 << 5,
  /** Delay injected by the fault filter. */
  DI: 1 << 6,
  /** Abort injected by the fault filter. */
  FI: 1 << 7,
  /** Rate limited (locally). */
  RL: 1 << 8,
  /** Connection reset locally. */
  LR: 1 << 9,
  /** Upstream remote reset. */
  UR: 1 << 10,
  /** Upstream connection termination. */
  UC: 1 << 11,
  /** Downstream connection termination. */
  DC: 1 << 12,
  /** No cluster found for the route. */
  NC: 1 << 13,
  /** Stream idle timeout. */
  SI: 1 << 14,
  /** Downstream protocol error. */
  DPE: 1 << 15,
  /** Upstream protocol error. */
  UPE: 1 << 16,
  /** Drop overload / the proxy is draining. */
  DO: 1 << 17,
  /** No filter chain matched the connection. */
  NFCF: 1 << 18,
  /** Denied by RBAC (HTTP 403 or a closed TCP connection). */
  RBAC: 1 << 19,
} as const;
export type FlagName = keyof typeof FLAG;

const ORDER = Object.keys(FLAG) as FlagName[];
const cache = new Map<number, string>();

/** "UF,URX" (Envoy's order), "-" for none. Cached: few distinct sets occur. */
export function flagsToString(bits: number): string {
  if (bits === 0) return '-';
  let s = cache.get(bits);
  if (s === undefined) {
    s = ORDER.filter((n) => (bits & FLAG[n]) !== 0).join(',');
    if (cache.size < 4096) cache.set(bits, s);
  }
  return s;
}
