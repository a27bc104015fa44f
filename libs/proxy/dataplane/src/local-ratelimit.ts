// Local rate limiting (envoy.filters.http.local_ratelimit): a token bucket
// per filter configuration, refilled lazily from the clock (no timers).
import type { LocalRateLimitConfig } from '@sextant/xds-client';

interface Bucket {
  tokens: number;
  lastFill: number;
}
const buckets = new WeakMap<LocalRateLimitConfig, Bucket>();

export type RateLimitResult = 'pass' | 'limited' | 'shadow-limited';

export function checkRateLimit(cfg: LocalRateLimitConfig, now: number): RateLimitResult {
  const b = cfg.bucket;
  if (!b) return 'pass';
  if (cfg.enabled < 1 && Math.random() >= cfg.enabled) return 'pass';
  let st = buckets.get(cfg);
  if (!st) {
    st = { tokens: b.maxTokens, lastFill: now };
    buckets.set(cfg, st);
  } else {
    const fills = Math.floor((now - st.lastFill) / b.fillIntervalMs);
    if (fills > 0) {
      st.tokens = Math.min(b.maxTokens, st.tokens + fills * b.tokensPerFill);
      st.lastFill += fills * b.fillIntervalMs;
    }
  }
  if (st.tokens >= 1) {
    st.tokens -= 1;
    return 'pass';
  }
  const enforced = cfg.enforced >= 1 || Math.random() < cfg.enforced;
  return enforced ? 'limited' : 'shadow-limited';
}
