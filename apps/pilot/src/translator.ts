// The Translator seam implemented by @sextant/translate: one call produces
// every type for a proxy (ProxyConfig); the cache key is translation's own
// (proxies with the same key get the same output from the same push).
import type { ProxyInfo, PushContext } from '@sextant/pilot-model';
import { TYPE_URL } from '@sextant/proto';
import { generateProxyConfig, proxyConfigKey, type TranslateOptions } from '@sextant/translate';
import type { TranslatedConfig, Translator } from './snapshot-source';

export function istioTranslator(options: TranslateOptions = {}): Translator {
  return {
    translate(push: PushContext, proxy: ProxyInfo): TranslatedConfig {
      const config = generateProxyConfig(push, proxy, options);
      return {
        resources: new Map<string, readonly object[]>([
          [TYPE_URL.listener, config.listeners],
          [TYPE_URL.route, config.routes],
          [TYPE_URL.cluster, config.clusters],
          [TYPE_URL.endpoint, config.endpoints],
        ]),
        warnings: config.warnings,
      };
    },
    cacheKey: (push, proxy) => proxyConfigKey(push, proxy, options),
  };
}
