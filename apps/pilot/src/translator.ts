// The Translator seam implemented by @sextant/translate: generates the asked
// kinds only (an EDS-only push builds endpoints, a VirtualService-only push
// listeners and routes); the cache key is translation's own (proxies with the
// same key get the same output from the same push). Secrets: the credentials
// the listeners and clusters name (see secrets.ts), so asking for Secrets
// builds those too. Virtual hosts are shared between cache keys and pushes
// through a VirtualHostCache (same output, built once).
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { cacheKeyCarriesOver, cacheKeysCarryOver, generateEndpointsOf, generateProxyConfig, proxyConfigKey, VirtualHostCache, type ResourceKind, type TranslateOptions } from '@sextant/translate';
import { secretsFor, type CredentialSource } from './secrets';
import type { TranslatedConfig, Translator } from './snapshot-source';

const KINDS: readonly [string, ResourceKind][] = [
  [TYPE_URL.listener, 'listeners'],
  [TYPE_URL.route, 'routes'],
  [TYPE_URL.cluster, 'clusters'],
  [TYPE_URL.endpoint, 'endpoints'],
];

export interface TranslatorOptions extends TranslateOptions {
  /** Gateway credentials Pilot may serve over SDS (none: Pilot sends no Secret). */
  credentials?: CredentialSource;
}

export function istioTranslator(options: TranslatorOptions = {}): Translator {
  const { credentials, ...rest } = options;
  // Virtual hosts built for one cache key or push are reused by the others (a generation per push).
  const cache = rest.cache ?? new VirtualHostCache();
  const translate: TranslateOptions = { ...rest, cache };
  let lastPush: PushContext | undefined;
  return {
    translate(push: PushContext, proxy: ProxyInfo, types: ReadonlySet<string> | undefined): TranslatedConfig {
      if (push !== lastPush) {
        cache.nextGeneration();
        lastPush = push;
      }
      const wantSecrets = !types || types.has(TYPE_URL.secret);
      const wanted = KINDS.filter(([t]) => !types || types.has(t));
      if (wanted.length === 0 && !wantSecrets) return { resources: new Map(), warnings: [] };
      const kinds = new Set<ResourceKind>(wanted.map(([, k]) => k));
      if (wantSecrets) kinds.add('listeners').add('clusters');
      const config = generateProxyConfig(push, proxy, translate, kinds);
      const resources = new Map<string, readonly object[]>(wanted.map(([t, k]) => [t, config[k]]));
      if (!wantSecrets) return { resources, warnings: config.warnings };
      const sds = secretsFor(config.secrets, credentials, proxy.namespace);
      resources.set(TYPE_URL.secret, sds.secrets);
      return { resources, warnings: [...config.warnings, ...sds.warnings] };
    },
    translateEndpoints(push: PushContext, proxy: ProxyInfo, hostnames: ReadonlySet<string>): TranslatedConfig {
      const out = generateEndpointsOf(push, proxy, hostnames, translate);
      return { resources: new Map([[TYPE_URL.endpoint, out.endpoints]]), warnings: out.warnings };
    },
    cacheKey: (push, proxy) => proxyConfigKey(push, proxy, translate),
    keysCarryOver: cacheKeysCarryOver,
    keyCarriesOver: cacheKeyCarriesOver,
  };
}
