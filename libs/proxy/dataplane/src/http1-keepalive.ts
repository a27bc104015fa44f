// Keep-alive timing of upstream HTTP/1.1 connections: the idle hint an
// upstream advertises, and the window of the keep-alive race (the server
// closes an idle connection just as the proxy sends a request on it).

/**
 * How soon after the request was written a reused connection must fail (closed or reset, nothing received) to count as
 * the keep-alive race: the server had closed it while idle and the close was on its way. A few round trips on a busy node.
 */
export const REUSE_RACE_MS = 250;

/** How long to keep an idle connection whose server advertised `keep-alive: timeout=N` (N seconds): a second (or half) less; 0: no hint. */
export function keepAliveHintMs(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
  if (!m) return 0;
  const ms = Number(m[1]) * 1000;
  return ms <= 0 ? 0 : Math.max(ms - 1000, ms / 2);
}
