// The HTTP filters an exchange runs before the router, in Envoy's order for
// Istio's chains: fault injection (delay, abort), CORS (preflight answers,
// response decoration), local rate limit. Per-route configuration wins over
// the connection manager's.
import type { FaultConfig } from '@sextant/xds-client';
import { evaluateCors } from './cors-filter';
import { decideFault, faultEnded, faultStarted } from './fault-filter';
import type { HttpExchange } from './http-exchange';
import { checkRateLimit } from './local-ratelimit';
import { FLAG } from './response-flags';

export function runFilters(ex: HttpExchange): void {
  const hcm = ex.hcm;
  const f = ex.filters!;
  if (hcm.hasFault && !f.disabled.has('envoy.filters.http.fault')) {
    const cfg = f.fault ?? hcm.fault;
    const d = cfg ? decideFault(cfg, ex, ex.clusterName) : undefined;
    if (d !== undefined && cfg) {
      faultStarted(cfg);
      ex.faultActive = true;
      const abort = () => {
        if (d.abortStatus > 0 || d.abortGrpcStatus >= 0) {
          endFault(ex, cfg);
          if (d.abortGrpcStatus >= 0 && ex.grpc) return ex.grpcReply(d.abortGrpcStatus, 'fault filter abort', FLAG.FI);
          return ex.localReply(d.abortStatus || 503, 'fault filter abort', FLAG.FI, 'fault_filter_abort');
        }
        endFault(ex, cfg);
        afterFault(ex);
      };
      if (d.delayMs > 0) {
        ex.flags |= FLAG.DI;
        ex.waitTimer = setTimeout(() => {
          ex.waitTimer = undefined;
          if (!ex.finished) abort();
        }, d.delayMs);
        return;
      }
      return abort();
    }
  }
  afterFault(ex);
}

export function endFault(ex: HttpExchange, cfg: FaultConfig): void {
  if (ex.faultActive) {
    ex.faultActive = false;
    faultEnded(cfg);
  }
}

function afterFault(ex: HttpExchange): void {
  const hcm = ex.hcm;
  const f = ex.filters!;
  if (hcm.hasCors && f.cors !== undefined && !f.disabled.has('envoy.filters.http.cors')) {
    const c = evaluateCors(f.cors, ex.method, ex.headers);
    if (c !== undefined) {
      if (c.preflight) return ex.localReply(200, '', 0, 'cors_response', c.headers);
      ex.corsHeaders = c.headers;
    }
  }
  if (hcm.hasRateLimit && !f.disabled.has('envoy.filters.http.local_ratelimit')) {
    const cfg = f.localRateLimit ?? hcm.rateLimit;
    if (cfg !== undefined) {
      const r = checkRateLimit(cfg, Date.now());
      if (r === 'limited') {
        const extra: string[] = ['x-local-rate-limit', 'true'];
        for (const h of cfg.responseHeadersToAdd) extra.push(h.name, h.value);
        return ex.localReply(cfg.status, 'local_rate_limited', FLAG.RL, 'local_rate_limited', extra);
      }
    }
  }
  ex.forward();
}
