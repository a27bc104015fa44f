// xDS over TLS (Pilot's 15012, istiod's port): server credentials whose
// certificate and client roots change on a running server, and the client
// authentication istiod does on that port.
//
// The TLS layer asks for a client certificate but does not refuse at the
// handshake (istiod: VerifyClientCertIfGiven): the stream is refused at the
// gRPC level instead, so the client reads why (UNAUTHENTICATED with the
// reason) and Pilot can log and count it. A stream is accepted when the
// client certificate chains to the mesh roots (sextant_trust), is inside its
// validity, names a SPIFFE identity of the mesh's trust domain, and that
// identity agrees with the node the stream claims: the namespace from the
// node (metadata NAMESPACE or the Istio id) must be the certificate's, and
// a SERVICE_ACCOUNT in the metadata must be the certificate's (Istio:
// "no identities matched").
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { parseSpiffeUri, uriSans, verifyChain, type SpiffeIdentity } from '@sextant/workload-identity';
import type { Logger } from '@sextant/util';
import { XdsError } from './errors';
import type { ProxyInfo } from './proxy-id';

/** The serving certificate (leaf first, then intermediates), its key, and the roots client certificates must chain to. */
export interface XdsServingCredentials {
  certChainPem: string;
  privateKeyPem: string;
  rootsPem: string;
}

/**
 * grpc-js server credentials that can change while the server runs: every
 * update reaches grpc-js's secure-context watcher, which calls
 * `setSecureContext` on its TLS server. Connections already open keep their
 * session (no xDS stream drops); new handshakes get the new certificate.
 */
export class RotatingServerCredentials extends grpc.ServerCredentials {
  constructor(initial?: XdsServingCredentials) {
    // requestCert without rejectUnauthorized: the refusal happens per stream, with a reason.
    super({ requestCert: true, rejectUnauthorized: false }, initial ? contextOptions(initial) : undefined);
  }

  update(credentials: XdsServingCredentials): void {
    this.updateSecureContextOptions(contextOptions(credentials));
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

function contextOptions(c: XdsServingCredentials) {
  return { cert: Buffer.from(c.certChainPem), key: Buffer.from(c.privateKeyPem), ca: Buffer.from(c.rootsPem) };
}

/** Why a stream on the TLS port was refused (metric label). */
export type XdsRefusal = 'no_client_certificate' | 'expired' | 'untrusted' | 'no_spiffe_id' | 'trust_domain' | 'node_mismatch' | 'not_tls';

export interface XdsPeerSecurity {
  transport: 'tls';
  /** The client certificate's SPIFFE ID. */
  identity: string;
  /** Serial number of the client certificate. */
  serial: string;
}

/** What the authorizer needs of a grpc-js server call. */
export type XdsServerCall = object & { getPeer(): string };

/** Called with the first request of a stream on an authenticated port; throws an XdsError to refuse. */
export type XdsAuthorizer = (call: XdsServerCall, proxy: ProxyInfo) => XdsPeerSecurity;

export type PeerCheck = { ok: true; identity: SpiffeIdentity & { uri: string; serial: string } } | { ok: false; reason: XdsRefusal; message: string };

/**
 * The TLS socket under a grpc-js server call. grpc-js's public
 * getAuthContext() only returns certificates the handshake verified, so the
 * reason a certificate is not acceptable (none, expired, another CA) is read
 * from the socket, the way grpc-js's own getAuthContext() reaches it.
 */
export function tlsSocketOf(call: XdsServerCall): TLSSocket | undefined {
  const inner = (call as unknown as { call?: { stream?: { session?: { socket?: unknown } }; nextCall?: unknown } }).call;
  let c: unknown = inner;
  // Interceptors wrap the base call; walk to it.
  for (let i = 0; i < 8 && c && !(c as { stream?: unknown }).stream; i++) c = (c as { nextCall?: unknown }).nextCall;
  const socket = (c as { stream?: { session?: { socket?: unknown } } } | undefined)?.stream?.session?.socket;
  return socket instanceof TLSSocket ? socket : undefined;
}

function pemOf(raw: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** The chain the client sent (leaf first), from the socket's peer certificate. */
export function peerChain(socket: TLSSocket): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(pemOf(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Checks a client's chain (leaf first) against the mesh roots and trust domain. */
export function checkClientChain(chain: readonly string[], roots: readonly string[], trustDomain: string, now = new Date()): PeerCheck {
  if (chain.length === 0) {
    return { ok: false, reason: 'no_client_certificate', message: "no client certificate: xDS on the TLS port requires the proxy's workload certificate (mTLS)" };
  }
  const leaf = new X509Certificate(chain[0]!);
  const uri = uriSans(leaf).find((u) => u.startsWith('spiffe://'));
  const who = uri ?? (leaf.subject.replace(/\n/g, ', ') || 'a certificate without a SPIFFE ID');
  if (Date.parse(leaf.validTo) < now.getTime()) {
    return { ok: false, reason: 'expired', message: `the client certificate of ${who} expired at ${new Date(leaf.validTo).toISOString()}` };
  }
  if (Date.parse(leaf.validFrom) > now.getTime()) {
    return { ok: false, reason: 'expired', message: `the client certificate of ${who} is not valid before ${new Date(leaf.validFrom).toISOString()}` };
  }
  if (roots.length === 0) return { ok: false, reason: 'untrusted', message: 'Pilot holds no mesh roots yet (sextant_trust); no client certificate can be verified' };
  const verified = verifyChain(chain, roots, now);
  if (!verified.ok) {
    return { ok: false, reason: 'untrusted', message: `the client certificate of ${who} does not chain to the mesh roots (sextant_trust): ${verified.errors[0]}` };
  }
  if (!uri) return { ok: false, reason: 'no_spiffe_id', message: `the client certificate (${who}) names no SPIFFE ID` };
  const id = parseSpiffeUri(uri);
  if (!id) return { ok: false, reason: 'no_spiffe_id', message: `the client certificate's URI ${uri} is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>` };
  if (id.trustDomain !== trustDomain) {
    return { ok: false, reason: 'trust_domain', message: `the client certificate's identity ${uri} is outside the trust domain ${trustDomain}` };
  }
  return { ok: true, identity: { ...id, uri, serial: leaf.serialNumber } };
}

/** Istio's checkConnectionIdentity: the node may only claim the certificate's namespace (and service account, when it names one). */
export function checkNodeIdentity(identity: SpiffeIdentity & { uri: string }, proxy: ProxyInfo): string | undefined {
  if (proxy.namespace && proxy.namespace !== identity.namespace) {
    return `node ${proxy.id} claims namespace ${proxy.namespace}, but its certificate ${identity.uri} is for namespace ${identity.namespace}`;
  }
  const sa = proxy.metadata['SERVICE_ACCOUNT'];
  if (typeof sa === 'string' && sa !== '' && sa !== identity.serviceAccount && sa !== identity.uri) {
    return `node ${proxy.id} claims service account ${sa}, but its certificate is ${identity.uri}`;
  }
  return undefined;
}

export interface TlsAuthorizerOptions {
  /** The mesh roots (PEM each), read at every check: they follow sextant_trust. */
  roots: () => readonly string[];
  trustDomain: string;
  logger: Logger;
  onAccepted?(identity: string): void;
  onRefused?(reason: XdsRefusal): void;
  now?: () => number;
}

/** The authorizer for the TLS port: refusals are logged (with the reason) and counted, then the stream ends UNAUTHENTICATED / PERMISSION_DENIED. */
export function tlsAuthorizer(opts: TlsAuthorizerOptions): XdsAuthorizer {
  const log = opts.logger.child({ scope: 'xds-tls' });
  const refuse = (reason: XdsRefusal, message: string, call: XdsServerCall, proxy: ProxyInfo, identity?: string): never => {
    opts.onRefused?.(reason);
    log.warn({ reason, peer: call.getPeer(), node: proxy.id, ...(identity ? { identity } : {}) }, `xDS client refused: ${message}`);
    throw reason === 'node_mismatch'
      ? new XdsError('XDS_NODE_IDENTITY_DENIED', `authorization failed: ${message}`)
      : new XdsError('XDS_PEER_UNAUTHENTICATED', `authentication failed: ${message}`);
  };
  return (call, proxy) => {
    const socket = tlsSocketOf(call);
    if (!socket) return refuse('not_tls', 'no TLS session found under the stream (not a TLS connection, or grpc-js no longer exposes it)', call, proxy);
    const check = checkClientChain(peerChain(socket), opts.roots(), opts.trustDomain, new Date(opts.now?.() ?? Date.now()));
    if (!check.ok) return refuse(check.reason, check.message, call, proxy);
    const mismatch = checkNodeIdentity(check.identity, proxy);
    if (mismatch) return refuse('node_mismatch', mismatch, call, proxy, check.identity.uri);
    opts.onAccepted?.(check.identity.uri);
    log.debug({ node: proxy.id, identity: check.identity.uri }, 'xDS client authenticated');
    return { transport: 'tls', identity: check.identity.uri, serial: check.identity.serial };
  };
}
