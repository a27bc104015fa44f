// The proxy's side of xDS over TLS (Pilot's 15012): it presents its workload
// certificate (mTLS) and accepts Pilot only when Pilot's certificate chains
// to the mesh roots and names Pilot's SPIFFE ID (istio-agent checks istiod
// the same way, by identity rather than host name). Credentials are read
// when a connection is made, so a rotated workload certificate is used from
// the next reconnect on; an open stream keeps its connection.
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';

export interface XdsTlsMaterial {
  /** Leaf first, then intermediates. */
  certChainPem: string;
  privateKeyPem: string;
  /** The mesh roots (sextant_trust). */
  rootsPem: string;
}

export interface XdsTlsOptions {
  /** Current client certificate and roots; undefined while there is none yet. */
  credentials: () => XdsTlsMaterial | undefined;
  /** The SPIFFE ID Pilot's certificate must name, e.g. spiffe://cluster.local/ns/istio-system/sa/sextant-pilot. */
  serverIdentity: string;
}

/** Host name sent as SNI (an IP address may not be, RFC 6066); Pilot is checked by SPIFFE ID, not by this name. */
export const XDS_TLS_SERVER_NAME = 'istiod.istio-system.svc';

/** Pilot's certificate must carry exactly the expected SPIFFE ID among its URI SANs. */
export function checkPilotIdentity(expected: string, cert: Pick<PeerCertificate, 'subjectaltname'>): Error | undefined {
  const uris = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((e) => e.startsWith('URI:'))
    .map((e) => e.slice(4));
  if (uris.includes(expected)) return undefined;
  return new Error(`Pilot's certificate names ${uris.join(', ') || 'no SPIFFE ID'}, not ${expected}`);
}

/** grpc-js channel credentials for one connection's worth of material. */
export function xdsChannelCredentials(material: XdsTlsMaterial, serverIdentity: string): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(material.rootsPem), Buffer.from(material.privateKeyPem), Buffer.from(material.certChainPem), {
    checkServerIdentity: (_host, cert) => checkPilotIdentity(serverIdentity, cert),
  });
}
