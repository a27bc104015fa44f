// Original file: ../../../node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/core/v3/resolver.proto


/**
 * Configuration of DNS resolver option flags which control the behavior of the DNS resolver.
 */
export interface DnsResolverOptions {
  /**
   * Use TCP for all DNS queries instead of the default protocol UDP.
   */
  'useTcpForDnsLookups'?: (boolean);
  /**
   * Do not use the default search domains; only query hostnames as-is or as aliases.
   */
  'noDefaultSearchDomain'?: (boolean);
}

/**
 * Configuration of DNS resolver option flags which control the behavior of the DNS resolver.
 */
export interface DnsResolverOptions__Output {
  /**
   * Use TCP for all DNS queries instead of the default protocol UDP.
   */
  'useTcpForDnsLookups': (boolean);
  /**
   * Do not use the default search domains; only query hostnames as-is or as aliases.
   */
  'noDefaultSearchDomain': (boolean);
}
