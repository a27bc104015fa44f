// Upstream connections: plaintext TCP, or TLS origination when the cluster's
// transport socket (or the transport_socket_match an endpoint's metadata
// selects: Istio's auto mTLS) is envoy.transport_sockets.tls. The secure
// context comes from TlsContexts at connect time, so a rotated certificate
// applies to the next connection; the server chain is verified against the
// configured roots and the SAN matchers (the expected SPIFFE identities).
import net, { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import type { ClusterConfig, UpstreamTlsConfig } from '@sextant/xds-client';
import type { Host } from './host';
import type { TlsContexts } from './tls-contexts';

export type UpstreamKind = 'http1' | 'http2' | 'tcp';

export interface UpstreamConnection {
  socket: Socket;
  /** The event after which bytes may be written: "connect" (TCP) or "secureConnect" (TLS handshake done, peer verified). */
  readyEvent: 'connect' | 'secureConnect';
  tls: boolean;
}

/** The transport socket for a host: the first transport_socket_match whose keys all equal the endpoint's metadata, else the cluster's. */
export function upstreamTlsFor(cluster: ClusterConfig, host: Host): UpstreamTlsConfig | undefined {
  const matches = cluster.transportSocketMatches;
  if (matches !== undefined) {
    const md = host.socketMatch;
    for (const m of matches) {
      let ok = true;
      for (const k in m.match) {
        if (md?.[k] !== m.match[k]) {
          ok = false;
          break;
        }
      }
      if (ok) return m.tls;
    }
  }
  return cluster.tls;
}

/** ALPN offered: the protocol the pool speaks first (h2 / http/1.1), then the context's list (Istio's istio-* markers). */
function alpnFor(cfg: UpstreamTlsConfig, kind: UpstreamKind): string[] | undefined {
  const list = cfg.common.alpn;
  if (kind === 'http2') return ['h2', ...list.filter((p) => p !== 'h2')];
  if (kind === 'http1' && list.length > 0) return ['http/1.1', ...list.filter((p) => p !== 'http/1.1')];
  return list.length > 0 ? list : undefined;
}

function failed(err: Error): UpstreamConnection {
  const socket = new net.Socket();
  process.nextTick(() => socket.destroy(err));
  return { socket, readyEvent: 'connect', tls: true };
}

export function connectUpstream(contexts: TlsContexts | undefined, cluster: ClusterConfig, host: Host, kind: UpstreamKind): UpstreamConnection {
  const cfg = cluster.transportSocketMatches === undefined && cluster.tls === undefined ? undefined : upstreamTlsFor(cluster, host);
  if (cfg === undefined) return { socket: net.connect({ host: host.address, port: host.port, noDelay: true }), readyEvent: 'connect', tls: false };
  if (!contexts) return failed(new Error('TLS origination needs a secret provider'));
  const c = contexts.client(cfg);
  if (c instanceof Error) {
    contexts.stats.upstream_context_unavailable++;
    return failed(c);
  }
  const alpn = alpnFor(cfg, kind);
  const servername = cfg.sni || (isIP(host.hostname) === 0 && host.hostname ? host.hostname : undefined);
  const socket = tls.connect({
    host: host.address,
    port: host.port,
    secureContext: c.context,
    rejectUnauthorized: c.rejectUnauthorized,
    checkServerIdentity: c.checkServerIdentity,
    ...(servername ? { servername } : {}),
    ...(alpn ? { ALPNProtocols: alpn } : {}),
  });
  socket.setNoDelay(true);
  socket.once('secureConnect', () => contexts.stats.upstream_handshake++);
  const v = cfg.common.validation;
  if (!c.rejectUnauthorized && v?.trust !== undefined) {
    // allow_expired_certificate: node cannot tolerate just expiry, so the verdict is checked here (before the pool's listener runs).
    socket.once('secureConnect', () => {
      const err = socket.authorizationError as unknown as string | Error | undefined;
      const code = typeof err === 'string' ? err : (err as (Error & { code?: string }) | undefined)?.code;
      if (err === undefined || err === null) return;
      if (code !== 'CERT_HAS_EXPIRED') return void socket.destroy(new Error(`upstream certificate not trusted (${code ?? String(err)})`));
      // node skipped the identity check after the chain error: run it now.
      const identity = c.checkServerIdentity(servername ?? host.address, socket.getPeerCertificate(true));
      if (identity) socket.destroy(identity);
    });
  }
  return { socket, readyEvent: 'secureConnect', tls: true };
}
