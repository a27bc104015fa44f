// RouteConfiguration decoder: virtual hosts, routes and their matches.
import type { RouteConfiguration__Output, Route__Output, VirtualHost__Output } from '@sextant/proto';
import { bool, checkRegex, fractionalPercent, u32, Issues, type Decoded } from './decode-support';
import { decodePerFilterConfig } from './http-filter-decoder';
import { decodeHeaderMatchers, decodeHeaderOps, decodeQueryMatchers } from './matcher-decoder';
import { decodeDirectResponse, decodeLegacyCors, decodeMirrors, decodeRedirect, decodeRetryPolicy, decodeRouteAction, routeUpgrades } from './route-action-decoder';
import type { PathMatch, RouteConfig, RouteEntryConfig, RouteMatchConfig, VirtualHostConfig } from './route-types';

const DEFAULT_MAX_DIRECT_BODY = 4096;

export function decodeRouteConfiguration(msg: RouteConfiguration__Output): Decoded<RouteConfig> {
  const issues = new Issues();
  const value = decodeRouteConfigurationInto(msg, `RouteConfiguration[${msg.name}]`, issues, true);
  return issues.result(value);
}

/**
 * A VHDS VirtualHost resource (named `<route configuration>/<host>`, as
 * Envoy requires), decoded as its route configuration's hosts are.
 */
export function decodeVirtualHostResource(msg: VirtualHost__Output): Decoded<VirtualHostConfig> {
  const issues = new Issues();
  const path = `VirtualHost[${msg.name}]`;
  if (!msg.name.includes('/')) issues.error(`${path}.name`, 'a VHDS virtual host is named <route configuration>/<host>');
  const value = decodeVirtualHost(msg, path, issues, DEFAULT_MAX_DIRECT_BODY);
  return issues.result(value);
}

/** Also used for an HCM's inline route_config (where VHDS cannot be: `rds` may). */
export function decodeRouteConfigurationInto(msg: RouteConfiguration__Output, path: string, issues: Issues, rds = false): RouteConfig {
  if (msg.vhds && !rds) issues.error(`${path}.vhds`, 'virtual hosts by VHDS need a route configuration from RDS, not an inline one');
  if (msg.vhds && msg.vhds.configSource?.configSourceSpecifier !== 'ads') issues.error(`${path}.vhds.configSource`, 'VHDS is supported over the ADS stream only (config_source: ads)');
  if (msg.clusterSpecifierPlugins?.length) issues.error(`${path}.clusterSpecifierPlugins`, 'cluster specifier plugins are not supported');
  const maxBody = u32(msg.maxDirectResponseBodySizeBytes, DEFAULT_MAX_DIRECT_BODY);
  const virtualHosts: VirtualHostConfig[] = [];
  const seenDomains = new Map<string, string>();
  msg.virtualHosts.forEach((vh, i) => {
    const p = `${path}.virtualHosts[${i}:${vh.name}]`;
    for (const d of vh.domains) {
      const key = d.toLowerCase();
      const prev = seenDomains.get(key);
      if (prev !== undefined) issues.error(`${p}.domains`, `domain "${d}" is also in virtual host ${prev}`);
      seenDomains.set(key, vh.name);
    }
    virtualHosts.push(decodeVirtualHost(vh, p, issues, maxBody));
  });
  return {
    name: msg.name,
    virtualHosts,
    headers: decodeHeaderOps(msg, path, issues),
    perFilter: decodePerFilterConfig(msg.typedPerFilterConfig, `${path}.typedPerFilterConfig`, issues),
    ignorePortInHostMatching: Boolean(msg.ignorePortInHostMatching),
    mirrors: decodeMirrors(msg.requestMirrorPolicies, `${path}.requestMirrorPolicies`, issues),
    internalOnlyHeaders: (msg.internalOnlyHeaders ?? []).map((h) => h.toLowerCase()),
    ...(msg.vhds ? { vhds: true } : {}),
  };
}

function checkDomain(d: string, path: string, issues: Issues): void {
  if (d === '*') return;
  const stars = d.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !d.startsWith('*') && !d.endsWith('*'))) {
    issues.error(path, `domain "${d}": a wildcard may only be a prefix or a suffix`);
  }
  if (d === '') issues.error(path, 'empty domain');
}

function decodeVirtualHost(vh: VirtualHost__Output, path: string, issues: Issues, maxBody: number): VirtualHostConfig {
  if (vh.domains.length === 0) issues.error(`${path}.domains`, 'at least one domain is required');
  vh.domains.forEach((d, i) => checkDomain(d, `${path}.domains[${i}]`, issues));
  if (vh.virtualClusters?.length) issues.warn(`${path}.virtualClusters`, 'ignored: virtual cluster stats are not kept');
  if (vh.rateLimits?.length) issues.warn(`${path}.rateLimits`, 'ignored: global rate limiting is not supported');
  if (vh.matcher) issues.error(`${path}.matcher`, 'the generic matcher tree is not supported');
  const out: VirtualHostConfig = {
    name: vh.name,
    domains: vh.domains.map((d) => d.toLowerCase()),
    routes: vh.routes.map((r, i) => decodeRoute(r, `${path}.routes[${i}${r.name ? `:${r.name}` : ''}]`, issues, maxBody)).filter((r): r is RouteEntryConfig => r !== undefined),
    headers: decodeHeaderOps(vh, path, issues),
    perFilter: decodePerFilterConfig(vh.typedPerFilterConfig, `${path}.typedPerFilterConfig`, issues),
    mirrors: decodeMirrors(vh.requestMirrorPolicies, `${path}.requestMirrorPolicies`, issues),
    includeRequestAttemptCount: Boolean(vh.includeRequestAttemptCount),
    includeAttemptCountInResponse: Boolean(vh.includeAttemptCountInResponse),
  };
  if (vh.retryPolicy) out.retryPolicy = decodeRetryPolicy(vh.retryPolicy, `${path}.retryPolicy`, issues);
  const cors = decodeLegacyCors(vh.cors, `${path}.cors`, issues);
  if (cors) out.cors = cors;
  if (vh.requireTls === 'ALL' || vh.requireTls === 'EXTERNAL_ONLY') out.requireTls = vh.requireTls;
  return out;
}

function decodeMatch(m: Route__Output['match'], path: string, issues: Issues): RouteMatchConfig | undefined {
  if (!m) {
    issues.error(path, 'missing match');
    return undefined;
  }
  let pathMatch: PathMatch | undefined;
  switch (m.pathSpecifier) {
    case 'prefix':
      pathMatch = { kind: 'prefix', value: m.prefix ?? '' };
      break;
    case 'path':
      pathMatch = { kind: 'path', value: m.path ?? '' };
      break;
    case 'safeRegex': {
      const regex = m.safeRegex?.regex ?? '';
      if (checkRegex(regex, `${path}.safeRegex`, issues)) pathMatch = { kind: 'regex', regex };
      break;
    }
    case 'pathSeparatedPrefix': {
      const value = m.pathSeparatedPrefix ?? '';
      if (!value.startsWith('/') || value.endsWith('/') || /[?#]/.test(value)) {
        issues.error(`${path}.pathSeparatedPrefix`, 'must start with "/", not end with "/" and hold no "?" or "#"');
      }
      pathMatch = { kind: 'separated', value };
      break;
    }
    case 'connectMatcher':
      pathMatch = { kind: 'connect' };
      break;
    default:
      issues.error(path, `path specifier ${m.pathSpecifier ?? '(none)'} is not supported`);
  }
  if (!pathMatch) return undefined;
  if (m.tlsContext) issues.warn(`${path}.tlsContext`, 'ignored: TLS termination is not supported yet');
  if (m.dynamicMetadata?.length) issues.error(`${path}.dynamicMetadata`, 'dynamic metadata matching is not supported');
  const out: RouteMatchConfig = {
    path: pathMatch,
    caseSensitive: bool(m.caseSensitive, true),
    headers: decodeHeaderMatchers(m.headers, `${path}.headers`, issues),
    queryParameters: decodeQueryMatchers(m.queryParameters, `${path}.queryParameters`, issues),
    grpc: Boolean(m.grpc),
  };
  if (m.runtimeFraction) out.runtimeFraction = fractionalPercent(m.runtimeFraction.defaultValue, 1);
  return out;
}

function decodeRoute(r: Route__Output, path: string, issues: Issues, maxBody: number): RouteEntryConfig | undefined {
  const match = decodeMatch(r.match, `${path}.match`, issues);
  let action: RouteEntryConfig['action'] | undefined;
  switch (r.action) {
    case 'route':
      action = decodeRouteAction(r.route!, `${path}.route`, issues, routeUpgrades(r.route));
      break;
    case 'redirect':
      action = decodeRedirect(r.redirect!, `${path}.redirect`, issues);
      break;
    case 'directResponse':
      action = decodeDirectResponse(r.directResponse!, `${path}.directResponse`, issues, maxBody);
      break;
    case 'nonForwardingAction':
      action = { kind: 'non-forwarding' };
      break;
    default:
      issues.error(path, `route action ${r.action ?? '(none)'} is not supported`);
  }
  if (!match || !action) return undefined;
  if (match.path.kind === 'regex' && action.kind === 'route' && action.prefixRewrite !== undefined) {
    issues.error(`${path}.route.prefixRewrite`, 'prefix_rewrite needs a prefix or path match');
  }
  const out: RouteEntryConfig = {
    name: r.name ?? '',
    match,
    action,
    headers: decodeHeaderOps(r, path, issues),
    perFilter: decodePerFilterConfig(r.typedPerFilterConfig, `${path}.typedPerFilterConfig`, issues),
  };
  if (r.decorator?.operation) out.operation = r.decorator.operation;
  return out;
}

