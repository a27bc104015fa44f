// Workload certificates: the lifetime policy (default, cap, never past the
// CA) and the signing of an accepted CSR. Pure apart from the random serial.
import { fail, ok, type Result } from '@sextant/util';
import { toPem } from './asn1';
import { refusal, type Refusal } from './errors';
import type { AcceptedCsr } from './csr-validator';
import { BACKDATE_MS } from './root-ca';
import type { SigningAuthority } from './signing-authority';
import { EMPTY_NAME, EXT, buildCertificate, randomSerial } from './x509-builder';

export interface LifetimePolicy {
  /** Lifetime when the caller asks for none (validity_duration 0). */
  defaultTtlMs: number;
  /** Longer requests are cut to this. */
  maxTtlMs: number;
}

export const DEFAULT_LIFETIME: LifetimePolicy = { defaultTtlMs: 24 * 3_600_000, maxTtlMs: 7 * 24 * 3_600_000 };

export interface Lifetime {
  notBefore: Date;
  notAfter: Date;
  /** Why notAfter is earlier than asked, if it is. */
  cappedBy?: 'max-ttl' | 'ca-expiry';
}

/**
 * Resolves a requested lifetime in seconds (0 or absent: the default) into
 * validity dates. Requests above the maximum are capped, not refused; the
 * certificate never outlives the CA chain.
 */
export function resolveLifetime(requestedSeconds: number | undefined, policy: LifetimePolicy, caNotAfter: Date, now = new Date()): Result<Lifetime, Refusal> {
  const requested = requestedSeconds ?? 0;
  if (!Number.isFinite(requested) || requested < 0) {
    return fail(refusal('TTL_INVALID', `validity_duration ${requestedSeconds} is not a positive number of seconds (0 asks for the default)`));
  }
  if (caNotAfter.getTime() <= now.getTime() + 60_000) {
    return fail(refusal('CA_CERT_EXPIRED', `the CA chain expires ${caNotAfter.toISOString()}; it cannot sign until it is renewed or rotated`));
  }
  let ttl = requested === 0 ? policy.defaultTtlMs : requested * 1000;
  let cappedBy: Lifetime['cappedBy'];
  if (ttl > policy.maxTtlMs) {
    ttl = policy.maxTtlMs;
    cappedBy = 'max-ttl';
  }
  let notAfter = now.getTime() + ttl;
  if (notAfter > caNotAfter.getTime()) {
    notAfter = caNotAfter.getTime();
    cappedBy = 'ca-expiry';
  }
  return ok({ notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(notAfter), cappedBy });
}

export interface IssuedCertificate {
  /** The leaf, PEM. */
  certPem: string;
  /** Leaf first, then intermediates, then the root. */
  chain: string[];
  serial: string;
  spiffeId: string;
  notBefore: Date;
  notAfter: Date;
}

/** Signs a workload certificate: empty subject, the SPIFFE ID as the only (critical) SAN. */
export function issueCertificate(authority: SigningAuthority, csr: AcceptedCsr, lifetime: Lifetime): IssuedCertificate {
  const serial = randomSerial();
  const certDer = buildCertificate(
    {
      serial,
      issuer: authority.issuerName,
      subject: EMPTY_NAME,
      notBefore: lifetime.notBefore,
      notAfter: lifetime.notAfter,
      spki: csr.spki,
      extensions: [...authority.leafExtensions, EXT.subjectAltName({ uris: [csr.spiffeId] }, true)],
    },
    { key: authority.key, algorithm: authority.algorithm },
  );
  const certPem = toPem('CERTIFICATE', certDer);
  return {
    certPem,
    chain: [certPem, ...authority.chain],
    serial: serial.toString('hex'),
    spiffeId: csr.spiffeId,
    notBefore: lifetime.notBefore,
    notAfter: lifetime.notAfter,
  };
}
