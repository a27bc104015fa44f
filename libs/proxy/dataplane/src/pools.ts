// Connection pools per host and protocol, created on first use.
import type { ClusterRuntime } from './cluster-runtime';
import type { Host } from './host';
import { Http1Pool, type PoolOptions } from './http1-pool';
import { Http2Pool } from './http2-pool';
import type { TlsContexts } from './tls-contexts';
import { upstreamTlsFor } from './tls-upstream';
import type { UpstreamHandler } from './upstream';

export interface PoolLike {
  acquire(handler: UpstreamHandler): void;
  cancelPending(handler: UpstreamHandler): void;
}

export interface PoolDefaults {
  tls?: TlsContexts;
}

function sameTls(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

export function poolFor(cluster: ClusterRuntime, host: Host, protocol: 'http1' | 'http2', d: PoolDefaults): Http1Pool | Http2Pool {
  if (protocol === 'http2') {
    let p = host.http2 as Http2Pool | undefined;
    if (p !== undefined && p.configRef === cluster.config) return p;
    // A new cluster config: connections keep going unless the transport socket changed (plaintext <-> mTLS, other certificates).
    const tls = upstreamTlsFor(cluster.config, host);
    if (p !== undefined && !sameTls(p.tlsRef, tls)) {
      p.drain();
      p = undefined;
    }
    if (!p) host.http2 = p = new Http2Pool(host, cluster, cluster.config.connectTimeoutMs, d.tls);
    p.configRef = cluster.config;
    p.tlsRef = tls;
    return p;
  }
  let p = host.http1 as Http1Pool | undefined;
  if (p !== undefined && p.configRef === cluster.config) return p;
  const tls = upstreamTlsFor(cluster.config, host);
  if (p !== undefined && !sameTls(p.tlsRef, tls)) {
    p.drain();
    p = undefined;
  }
  const opts: PoolOptions = {
    connectTimeoutMs: cluster.config.connectTimeoutMs,
    // The cluster's idle_timeout (1 h unless set; 0 disables it). Apps that close idle connections sooner say so with
    // `keep-alive: timeout=N` (honoured per connection), and the keep-alive race is retried (http1-upstream.ts).
    idleTimeoutMs: cluster.config.idleTimeoutMs,
    maxRequestsPerConnection: cluster.config.maxRequestsPerConnection,
  };
  if (d.tls) opts.tls = d.tls;
  if (!p) host.http1 = p = new Http1Pool(host, cluster, opts);
  else p.opts = opts;
  p.configRef = cluster.config;
  p.tlsRef = tls;
  return p;
}
