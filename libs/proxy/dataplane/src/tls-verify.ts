// Peer certificate checks that node:tls does not do for us: Envoy's SAN
// matchers (match_subject_alt_names / match_typed_subject_alt_names),
// certificate hash pinning, expiry tolerance; and the facts a verified peer
// gives the request path (principal, X-Forwarded-Client-Cert).
import { createHash } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { SanMatcherConfig, ValidationConfig } from '@sextant/xds-client';
import { compileStringMatch, type StringPredicate } from './matchers';

export interface SubjectAltName {
  type: 'DNS' | 'URI' | 'EMAIL' | 'IP_ADDRESS' | 'OTHER';
  value: string;
}

const SAN_TYPE: Record<string, SubjectAltName['type']> = { DNS: 'DNS', URI: 'URI', email: 'EMAIL', 'IP Address': 'IP_ADDRESS' };
const SAN_RE = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;

/** Parses node's `subjectaltname` string ("DNS:a, URI:spiffe://…, IP Address:1.2.3.4"; quoted values JSON-escaped). */
export function parseSubjectAltNames(s: string | undefined): SubjectAltName[] {
  const out: SubjectAltName[] = [];
  if (!s) return out;
  for (const m of s.matchAll(SAN_RE)) {
    let value = m[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push({ type: SAN_TYPE[m[1]!] ?? 'OTHER', value });
  }
  return out;
}

interface CompiledSan {
  type: SanMatcherConfig['type'];
  test: StringPredicate;
}

const compiled = new WeakMap<ValidationConfig, CompiledSan[]>();

function sanMatchersOf(v: ValidationConfig): CompiledSan[] {
  let c = compiled.get(v);
  if (!c) {
    c = v.sanMatchers.map((m) => ({ type: m.type, test: compileStringMatch(m.match) }));
    compiled.set(v, c);
  }
  return c;
}

/** undefined when the certificate passes the SAN matchers and hash pins; else why not. */
export function checkPeerIdentity(cert: PeerCertificate, v: ValidationConfig): string | undefined {
  if (v.sanMatchers.length > 0) {
    const sans = parseSubjectAltNames(cert.subjectaltname);
    const ok = sanMatchersOf(v).some((m) => sans.some((s) => (m.type === 'ANY' ? s.type !== 'OTHER' : s.type === m.type) && m.test(s.value)));
    if (!ok) return `peer certificate SANs [${sans.map((s) => s.value).join(', ')}] match none of the configured subject alt names`;
  }
  if (v.certificateHashes.length > 0 && !v.certificateHashes.includes(certHash(cert))) return 'peer certificate hash is not one of verify_certificate_hash';
  return undefined;
}

/**
 * The chain verification result of a handshaken socket: undefined when the
 * peer chain verified, else the OpenSSL reason code. A TLSSocket made outside
 * a tls.Server does not fill `authorized`, so the handle is asked directly
 * (what tls.Server does); no answer counts as a failure.
 */
export function chainError(socket: TLSSocket): string | undefined {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  if (typeof handle?.verifyError !== 'function') return 'UNVERIFIABLE';
  const err = handle.verifyError();
  return err ? (err.code ?? err.message) : undefined;
}

/**
 * Checks a handshaken downstream socket's peer against a validation context:
 * a certificate when required, its chain (expired ones when allowed), SANs,
 * hashes. undefined: accepted.
 */
export function verifyPeer(socket: TLSSocket, v: ValidationConfig | undefined, required: boolean): string | undefined {
  const cert = socket.getPeerCertificate();
  const present = cert !== null && cert !== undefined && Object.keys(cert).length > 0;
  if (!present) return required ? 'no peer certificate' : undefined;
  if (!v) return undefined;
  if (v.trust) {
    const err = chainError(socket);
    if (err !== undefined && !(v.allowExpired && err === 'CERT_HAS_EXPIRED')) return `peer certificate not trusted (${err})`;
  }
  return checkPeerIdentity(cert, v);
}

export function certHash(cert: PeerCertificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** The peer's SPIFFE identity (first spiffe:// URI SAN), else its first URI SAN, else undefined. */
export function principalOf(cert: PeerCertificate): string | undefined {
  const uris = parseSubjectAltNames(cert.subjectaltname).filter((s) => s.type === 'URI');
  return (uris.find((s) => s.value.startsWith('spiffe://')) ?? uris[0])?.value;
}

/** X-Forwarded-Client-Cert for a verified peer, as Istio's sidecars set it. */
export function xfccValue(selfPrincipal: string, cert: PeerCertificate, principal: string | undefined): string {
  let v = `By=${selfPrincipal};Hash=${certHash(cert)}`;
  if (principal !== undefined) v += `;URI=${principal}`;
  return v;
}
