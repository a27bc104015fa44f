// The Translator seam implemented by @sextant/translate: generates the asked
// kinds only (an EDS-only push builds endpoints, a VirtualService-only push
// listeners and routes); the cache key is translation's own (proxies with the
// same key get the same output from the same push).
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { generateProxyConfig, proxyConfigKey, type ResourceKind, type TranslateOptions } from '@sextant/translate';
import type { TranslatedConfig, Translator } from './snapshot-source';

const KINDS: readonly [string, ResourceKind][] = [
  [TYPE_URL.listener, 'listeners'],
  [TYPE_URL.route, 'routes'],
  [TYPE_URL.cluster, 'clusters'],
  [TYPE_URL.endpoint, 'endpoints'],
];

export function istioTranslator(options: TranslateOptions = {}): Translator {
  return {
    translate(push: PushContext, proxy: ProxyInfo, types: ReadonlySet<string> | undefined): TranslatedConfig {
      const wanted = KINDS.filter(([t]) => !types || types.has(t));
      if (wanted.length === 0) return { resources: new Map(), warnings: [] };
      const config = generateProxyConfig(push, proxy, options, new Set(wanted.map(([, k]) => k)));
      return { resources: new Map<string, readonly object[]>(wanted.map(([t, k]) => [t, config[k]])), warnings: config.warnings };
    },
    cacheKey: (push, proxy) => proxyConfigKey(push, proxy, options),
  };
}
