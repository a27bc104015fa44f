// CreateCertificate: authenticate the caller, validate the CSR against the
// identity it proved, sign, answer the chain (leaf, intermediates, root).
// The signer below knows nothing of gRPC; the handler maps its outcome to a
// status at the edge, logs every issuance and refusal with the identity and
// the full reason, counts them, and tells the caller only what helps it.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { toServiceError } from '@sextant/grpc';
import {
  DEFAULT_CSR_POLICY,
  PkiError,
  issueCertificate,
  resolveLifetime,
  validateCsr,
  type CsrPolicy,
  type IssuedCertificate,
  type LifetimePolicy,
  type SigningAuthority,
} from '@sextant/pki';
import type { CaV1, IstioCertificateServiceHandlers } from '@sextant/proto';
import { SextantError, type Logger } from '@sextant/util';
import { bearerFrom, type Authenticator, type Caller } from './authenticator';
import { CA_SERVER_ERRORS, CaServerError } from './errors';
import type { CaMetrics } from './metrics';

export interface SignRequest {
  csr: string;
  /** Requested lifetime in seconds; 0 asks for the default. */
  validitySeconds: number;
  /** The bearer token from "authorization: Bearer ...". */
  bearer: string | undefined;
  /** The request asked to act for another identity (Istio's ImpersonatedIdentity). */
  impersonate?: boolean;
}

export type SignOutcome =
  | { ok: true; issued: IssuedCertificate; caller: Caller; signSeconds: number; cappedBy?: string }
  | { ok: false; error: SextantError; caller?: Caller };

export interface SignerOptions {
  /** The authority that signs now (it changes on root rotation); undefined while not loaded. */
  authority: () => SigningAuthority | undefined;
  authenticator: Authenticator;
  lifetime: LifetimePolicy;
  csrPolicy?: CsrPolicy;
  now?: () => Date;
}

export class CertificateSigner {
  constructor(private readonly opts: SignerOptions) {}

  async sign(req: SignRequest): Promise<SignOutcome> {
    const authority = this.opts.authority();
    if (!authority) return { ok: false, error: new CaServerError('CA_NOT_READY_UNAVAILABLE', 'the CA has no signing key loaded') };
    if (!req.bearer) return { ok: false, error: new CaServerError('TOKEN_MISSING_UNAUTHENTICATED', 'no bearer token on the call') };
    let caller: Caller;
    try {
      caller = await this.opts.authenticator.authenticate(req.bearer, { csr: req.csr });
    } catch (err) {
      return { ok: false, error: asSextantError(err) };
    }
    if (req.impersonate) {
      return { ok: false, caller, error: new CaServerError('IMPERSONATION_DENIED', `${caller.spiffeId} asked to act for another identity`) };
    }
    const started = process.hrtime.bigint();
    const now = (this.opts.now ?? (() => new Date()))();
    const accepted = validateCsr(req.csr, caller.spiffeId, this.opts.csrPolicy ?? DEFAULT_CSR_POLICY);
    if (!accepted.ok) return { ok: false, caller, error: new PkiError(accepted.errors[0].code, accepted.errors[0].reason) };
    const lifetime = resolveLifetime(req.validitySeconds, this.opts.lifetime, authority.notAfter, now);
    if (!lifetime.ok) return { ok: false, caller, error: new PkiError(lifetime.errors[0].code, lifetime.errors[0].reason) };
    const issued = issueCertificate(authority, accepted.value, lifetime.value);
    const signSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { ok: true, issued, caller, signSeconds, cappedBy: lifetime.value.cappedBy };
  }
}

function asSextantError(err: unknown): SextantError {
  if (err instanceof SextantError) return err;
  return new SextantError('INTERNAL', (err as Error)?.message ?? String(err), { cause: err });
}

/** What the caller is told: enough to act on, nothing about our internals or other tokens. */
export function publicMessage(error: SextantError, ref: string): string {
  if (error instanceof PkiError) return `${error.code}: ${error.message}`;
  if (error instanceof CaServerError) {
    const hint = error.code.startsWith('TOKEN_') && error.code !== 'TOKEN_REVIEW_UNAVAILABLE' ? '; obtain a new token and retry' : '';
    return `${error.code}: ${CA_SERVER_ERRORS[error.code]}${hint} (ref ${ref})`;
  }
  return `internal error in the CA (ref ${ref}); the CA log has the details`;
}

export interface CaServiceOptions {
  signer: CertificateSigner;
  logger: Logger;
  metrics: CaMetrics;
}

type Request = CaV1.IstioCertificateRequest__Output;

/** gRPC handlers for istio.v1.auth.IstioCertificateService. */
export function createCaServiceHandlers(opts: CaServiceOptions): IstioCertificateServiceHandlers {
  const { signer, logger, metrics } = opts;
  return {
    CreateCertificate(call: grpc.ServerUnaryCall<Request, CaV1.IstioCertificateResponse>, callback: grpc.sendUnaryData<CaV1.IstioCertificateResponse>) {
      const ref = randomBytes(6).toString('hex');
      const peer = call.getPeer();
      const validity = Number(call.request.validityDuration ?? 0);
      const impersonate = Boolean(call.request.metadata?.fields?.['ImpersonatedIdentity']);
      signer
        .sign({ csr: call.request.csr ?? '', validitySeconds: Number.isFinite(validity) ? validity : -1, bearer: bearerFrom(call.metadata.get('authorization')), impersonate })
        .then((outcome) => {
          if (outcome.ok) {
            const { issued, caller } = outcome;
            metrics.issued.inc({ method: caller.method });
            metrics.signSeconds.observe(outcome.signSeconds);
            logger.info(
              { ref, peer, spiffeId: issued.spiffeId, method: caller.method, credential: caller.credentialId, credentialDetail: caller.detail, serial: issued.serial, notAfter: issued.notAfter.toISOString(), cappedBy: outcome.cappedBy, signMs: +(outcome.signSeconds * 1000).toFixed(3) },
              'certificate issued',
            );
            callback(null, { certChain: issued.chain });
            return;
          }
          const { error, caller } = outcome;
          metrics.refused.inc({ reason: error.code });
          const level = error instanceof PkiError || error instanceof CaServerError ? 'warn' : 'error';
          logger[level]({ ref, peer, reason: error.code, detail: error.message, spiffeId: caller?.spiffeId, method: caller?.method, credential: caller?.credentialId, err: level === 'error' ? error : undefined }, 'certificate refused');
          const status = toServiceError(error);
          callback({ ...status, details: publicMessage(error, ref) });
        })
        .catch((err: unknown) => {
          metrics.refused.inc({ reason: 'INTERNAL' });
          logger.error({ ref, peer, err }, 'certificate request failed');
          callback({ code: grpc.status.INTERNAL, details: publicMessage(asSextantError(err), ref) });
        });
    },
  };
}
