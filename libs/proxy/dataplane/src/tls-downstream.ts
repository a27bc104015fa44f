// TLS termination on a filter chain with a DownstreamTlsContext. The TLS
// inspector already read the ClientHello (SNI, ALPN) without losing it; the
// bytes go back into the socket and node:tls takes over the handshake with
// the chain's secure context (its current certificate). Client certificates
// are requested when the context validates them; node rejects missing or
// untrusted ones when they are required, the SAN matchers run after the
// handshake. The verified peer's identity lands on the connection's facts.
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { DownstreamTlsConfig } from '@sextant/xds-client';
import type { Logger } from '@sextant/util';
import type { ConnInfo } from './http-context';
import { refusalKind, refusals } from './log-limiter';
import type { TlsContexts } from './tls-contexts';
import { principalOf, verifyPeer, xfccValue } from './tls-verify';

const warned = new WeakSet<Error>();

export interface ClientHelloFacts {
  serverName: string;
  /** ALPN the client offered. */
  appProtocols: readonly string[];
  initial: Buffer;
}

/** The server's most preferred protocol the client offers; undefined when none overlaps (no ALPN, not an error). */
export function selectAlpn(server: readonly string[], offered: readonly string[]): string | undefined {
  for (const p of server) if (offered.includes(p)) return p;
  return undefined;
}

/** Terminates TLS; resolves the secure socket once the peer is verified, undefined when the connection was closed instead. */
export function terminateTls(socket: Socket, cfg: DownstreamTlsConfig, hello: ClientHelloFacts, contexts: TlsContexts | undefined, conn: ConnInfo, timeoutMs: number, log: Logger): Promise<TLSSocket | undefined> {
  const refuse = (why: string): undefined => {
    refusals.info(log, 'tls_config', { listener: conn.listenerName, remote: `${conn.remoteAddress}:${conn.remotePort}`, reason: why }, 'TLS connection refused');
    socket.destroy();
    return undefined;
  };
  if (!contexts) return Promise.resolve(refuse('no secret provider for TLS termination'));
  if (cfg.requireSni && !hello.serverName) return Promise.resolve(refuse('no SNI and the context requires one'));
  const server = contexts.server(cfg);
  if (server instanceof Error) {
    contexts.stats.downstream_context_unavailable++;
    // The same error object stands until secrets change: warn once, not per connection.
    if (!warned.has(server)) {
      warned.add(server);
      log.warn({ listener: conn.listenerName, err: server.message }, 'TLS context unavailable; connections to TLS chains are closed');
    }
    return Promise.resolve(refuse(server.message));
  }
  if (hello.initial.length > 0) socket.unshift(hello.initial);
  const alpn = selectAlpn(cfg.common.alpn, hello.appProtocols);
  const t = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: server.context,
    requestCert: server.requestCert,
    rejectUnauthorized: server.rejectUnauthorized,
    ...(alpn !== undefined ? { ALPNProtocols: [alpn] } : {}),
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: TLSSocket | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      t.off('error', onSocketError);
      resolve(v);
    };
    /** counted: the failure already has its own counter (verification). */
    const onError = (err: Error, counted = false) => {
      if (!done && !counted) {
        // node may fail the handshake itself (client certificate required and missing, chain refused).
        const code = String((err as NodeJS.ErrnoException).code ?? err.message);
        const st = contexts.stats;
        if (code.includes('PEER_DID_NOT_RETURN_A_CERTIFICATE')) st.downstream_fail_verify_no_cert++;
        else if (code.includes('CERTIFICATE_VERIFY_FAILED')) st.downstream_fail_verify_error++;
        else st.downstream_connection_error++;
      }
      // Refusals are worth seeing (misconfigured or hostile peers): at info, rate-limited per kind; the ssl.* counters keep the totals.
      refusals.info(log, refusalKind(err.message), { listener: conn.listenerName, remote: `${conn.remoteAddress}:${conn.remotePort}`, err: err.message }, 'TLS handshake failed');
      t.destroy();
      socket.destroy();
      finish(undefined);
    };
    const timer = setTimeout(() => onError(new Error('TLS handshake timeout')), timeoutMs);
    const onSocketError = (err: Error) => onError(err);
    t.on('error', onSocketError);
    t.once('close', () => finish(undefined));
    t.once('secure', () => {
      const why = verifyPeer(t, cfg.common.validation, cfg.requireClientCertificate);
      if (why !== undefined) {
        const st = contexts.stats;
        if (why.startsWith('no peer')) st.downstream_fail_verify_no_cert++;
        else if (why.startsWith('peer certificate not trusted')) st.downstream_fail_verify_error++;
        else st.downstream_fail_verify_san++;
        return onError(new Error(why), true);
      }
      contexts.stats.downstream_handshake++;
      // What tls.Server does for its sockets: the handshake is over, the chain verdict is known.
      (t as unknown as { secureConnecting: boolean }).secureConnecting = false;
      conn.secure = true;
      const cert = t.getPeerCertificate();
      if (cert && cert.raw) {
        const principal = principalOf(cert);
        conn.peerPrincipal = principal;
        conn.xfcc = xfccValue(contexts.selfPrincipal, cert, principal);
        t.authorized = cfg.common.validation?.trust !== undefined;
      }
      t.on('error', () => undefined);
      finish(t);
    });
  });
}
