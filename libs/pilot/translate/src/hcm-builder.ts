// The HTTP connection manager filter every HTTP listener uses, with the
// HTTP filter chain in Istio's order: security filters from the hooks,
// CORS, fault, router (router last, as Envoy and gRPC require). Proxyless
// gRPC gets only the filters grpc-js implements (fault, router).
import type { SecurityPolicies } from '@sextant/pilot-model';
import { ADS_CONFIG_SOURCE } from './cluster-builder';
import type { TranslateContext } from './context';
import type { EnvoyObject, FilterObject, RouteConfigurationObject } from './envoy-types';
import type { FilterDirection, FilterHookContext } from './hooks';
import { FILTER, TYPED } from './type-urls';
import { typed, ZERO_DURATION } from './values';

export interface HcmInput {
  statPrefix: string;
  direction: FilterDirection;
  port: number;
  /** RDS route configuration name; or an inline route configuration. */
  rds?: string;
  routeConfig?: RouteConfigurationObject;
  /** Gateways trust X-Forwarded-For from their own peer (useRemoteAddress). */
  useRemoteAddress?: boolean;
  /** Accept absolute-form request targets (Istio's HTTP proxy listener). */
  allowAbsoluteUrl?: boolean;
}

/** The policies selecting a proxy's workload, once per translation (every HCM and chain asks). */
const policiesOf = new WeakMap<TranslateContext, SecurityPolicies>();

/** What a filter hook is told about the chain it contributes to. */
export function hookContext(ctx: TranslateContext, direction: FilterDirection, port: number): FilterHookContext {
  let policies = policiesOf.get(ctx);
  if (!policies) policiesOf.set(ctx, (policies = ctx.push.securityPolicies(ctx.proxy)));
  return { push: ctx.push, proxy: ctx.proxy, direction, port, policies, warn: ctx.warn };
}

export function httpFilters(ctx: TranslateContext, direction: FilterDirection, port: number): FilterObject[] {
  const security = ctx.hooks.httpFilters?.(hookContext(ctx, direction, port)) ?? [];
  const out: FilterObject[] = [...security];
  if (direction !== 'inbound') {
    if (!ctx.proxy.proxyless) out.push({ name: FILTER.cors, typedConfig: typed(TYPED.cors) });
    out.push({ name: FILTER.fault, typedConfig: typed(TYPED.fault) });
  }
  out.push({ name: FILTER.router, typedConfig: typed(TYPED.router) });
  return out;
}

export function networkFilters(ctx: TranslateContext, direction: FilterDirection, port: number): FilterObject[] {
  return ctx.hooks.networkFilters?.(hookContext(ctx, direction, port)) ?? [];
}

/** The HCM as a network filter. */
export function httpConnectionManager(ctx: TranslateContext, input: HcmInput): FilterObject {
  const cfg: EnvoyObject = { statPrefix: input.statPrefix, codecType: 'AUTO' };
  if (input.rds !== undefined) cfg['rds'] = { configSource: ADS_CONFIG_SOURCE, routeConfigName: input.rds };
  else cfg['routeConfig'] = input.routeConfig;
  cfg['httpFilters'] = httpFilters(ctx, input.direction, input.port);
  if (!ctx.proxy.proxyless) {
    cfg['useRemoteAddress'] = { value: input.useRemoteAddress ?? false };
    cfg['upgradeConfigs'] = [{ upgradeType: 'websocket' }];
    cfg['streamIdleTimeout'] = ZERO_DURATION;
    cfg['normalizePath'] = { value: true };
    if (input.direction === 'inbound') cfg['forwardClientCertDetails'] = 'APPEND_FORWARD';
    if (input.allowAbsoluteUrl) cfg['httpProtocolOptions'] = { allowAbsoluteUrl: { value: true } };
  }
  return { name: FILTER.httpConnectionManager, typedConfig: typed(TYPED.httpConnectionManager, cfg) };
}
