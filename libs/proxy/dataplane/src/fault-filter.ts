// Fault injection (envoy.filters.http.fault): delays and aborts for a
// fraction of requests, optionally only when headers match, or controlled
// by the x-envoy-fault-* request headers when the config says so.
import type { FaultConfig } from '@sextant/xds-client';
import { getHeader } from './headers';
import { compileHeaderMatchers, type HeaderPredicate, type MatchInput } from './matchers';

export interface FaultDecision {
  delayMs: number;
  abortStatus: number;
  abortGrpcStatus: number;
}

interface CompiledFault {
  config: FaultConfig;
  headers: HeaderPredicate | undefined;
  active: number;
}

const compiled = new WeakMap<FaultConfig, CompiledFault>();

function compile(f: FaultConfig): CompiledFault {
  let c = compiled.get(f);
  if (!c) {
    c = { config: f, headers: compileHeaderMatchers(f.headers), active: 0 };
    compiled.set(f, c);
  }
  return c;
}

/** Decides the faults for one request; undefined when none applies. */
export function decideFault(f: FaultConfig, input: MatchInput, cluster: string): FaultDecision | undefined {
  const c = compile(f);
  if (f.upstreamClusters.length > 0 && !f.upstreamClusters.includes(cluster)) return undefined;
  if (c.headers !== undefined && !c.headers(input)) return undefined;
  if (f.maxActiveFaults !== undefined && c.active >= f.maxActiveFaults) return undefined;
  let delayMs = 0;
  let abortStatus = 0;
  let abortGrpcStatus = -1;
  if (f.delay && Math.random() < f.delay.fraction) {
    if (f.delay.headerControlled) delayMs = Number(getHeader(input.headers, 'x-envoy-fault-delay-request') ?? 0) || 0;
    else delayMs = f.delay.fixedMs;
  }
  if (f.abort && Math.random() < f.abort.fraction) {
    if (f.abort.headerControlled) {
      abortStatus = Number(getHeader(input.headers, 'x-envoy-fault-abort-request') ?? 0) || 0;
      const g = getHeader(input.headers, 'x-envoy-fault-abort-grpc-request');
      if (g !== undefined) abortGrpcStatus = Number(g);
    } else if (f.abort.grpcStatus !== undefined) abortGrpcStatus = f.abort.grpcStatus;
    else abortStatus = f.abort.httpStatus ?? 0;
  }
  if (delayMs <= 0 && abortStatus === 0 && abortGrpcStatus < 0) return undefined;
  return { delayMs, abortStatus, abortGrpcStatus };
}

/** Counts a fault in progress (max_active_faults). */
export function faultStarted(f: FaultConfig): void {
  compile(f).active++;
}

export function faultEnded(f: FaultConfig): void {
  compile(f).active--;
}
