// The peer principal RBAC's `authenticated` principals match: the URI SAN
// (spiffe://<trust domain>/ns/<ns>/sa/<sa>) of the client certificate a TLS
// connection verified. Plaintext connections, and TLS without a verified
// client certificate, have none.
//
// Contract with TLS termination: whoever terminates TLS on a downstream
// connection sets `ConnInfo.peerPrincipal = peerPrincipal(tlsSocket)`;
// the security filters read it with `connPeerPrincipal(conn)`.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ConnInfo } from './http-context';

/** The first `URI:` SAN of the verified client certificate, or undefined (plaintext, no or unverified certificate). */
export function peerPrincipal(socket: Socket): string | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate(false);
  return cert && typeof cert.subjectaltname === 'string' ? uriSan(cert.subjectaltname) : undefined;
}

/** `URI:spiffe://...` out of Node's `subjectaltname` text ("DNS:a, URI:spiffe://td/ns/x/sa/y"). */
export function uriSan(subjectAltName: string): string | undefined {
  for (const part of subjectAltName.split(/,\s*/)) if (part.startsWith('URI:')) return part.slice(4);
  return undefined;
}

/** The peer principal of a downstream connection, as TLS termination recorded it. */
export function connPeerPrincipal(conn: ConnInfo): string | undefined {
  return conn.peerPrincipal;
}
