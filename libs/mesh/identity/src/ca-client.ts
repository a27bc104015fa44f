// The workload's side of istio.v1.auth.IstioCertificateService: one
// CreateCertificate call with "authorization: Bearer <token>" metadata.
// Failures keep Citadel's stable code (sextant-error-code metadata) so the
// agent can tell a spent token from an unreachable CA.
import * as grpc from '@grpc/grpc-js';
import { certificateServiceDefinition, type IstioCertificateServiceClient } from '@sextant/proto';

export interface CertificateRequest {
  csr: string;
  /** Bearer token: a bootstrap token (sxt1.) or a renewal token (sxtr1.). */
  token: string;
  /** Requested lifetime; 0 asks for Citadel's default. */
  validitySeconds: number;
}

/** Anything that signs CSRs (Citadel over gRPC; tests may wrap it). */
export interface CertificateSigner {
  createCertificate(req: CertificateRequest): Promise<string[]>;
}

export class CitadelCallError extends Error {
  constructor(
    readonly grpcCode: grpc.status,
    /** Citadel's stable code (e.g. TOKEN_REPLAYED_UNAUTHENTICATED), when it sent one. */
    readonly errorCode: string | undefined,
    details: string,
  ) {
    super(`Citadel refused or failed the CSR: ${grpc.status[grpcCode] ?? grpcCode}${errorCode ? ` ${errorCode}` : ''}: ${details}`);
    this.name = 'CitadelCallError';
  }

  /** Citadel's code, else the gRPC status name (UNAVAILABLE, DEADLINE_EXCEEDED...). */
  get code(): string {
    return this.errorCode ?? grpc.status[this.grpcCode] ?? `GRPC_${this.grpcCode}`;
  }

  /** The call never reached Citadel (nothing listening, no route): a token sent with it is still unused. */
  get unreached(): boolean {
    return this.grpcCode === grpc.status.UNAVAILABLE && this.errorCode === undefined;
  }

  /** The caller's credential was refused (a fresh token or a renewal may help, a retry alone will not). */
  get unauthenticated(): boolean {
    return this.grpcCode === grpc.status.UNAUTHENTICATED;
  }
}

export interface CitadelClientOptions {
  /** host:port of Citadel's gRPC API (8060 by default). */
  address: string;
  timeoutMs?: number;
  credentials?: grpc.ChannelCredentials;
}

export class CitadelClient implements CertificateSigner {
  private readonly client: IstioCertificateServiceClient;

  constructor(private readonly opts: CitadelClientOptions) {
    if (!/^[^\s:]+:\d{1,5}$/.test(opts.address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(opts.address)) {
      throw new Error(`Citadel address ${JSON.stringify(opts.address)} is not host:port`);
    }
    const Client = certificateServiceDefinition();
    this.client = new Client(opts.address, opts.credentials ?? grpc.credentials.createInsecure()) as unknown as IstioCertificateServiceClient;
  }

  get address(): string {
    return this.opts.address;
  }

  createCertificate(req: CertificateRequest): Promise<string[]> {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${req.token}`);
    return new Promise((resolve, reject) => {
      this.client.CreateCertificate(
        { csr: req.csr, validityDuration: req.validitySeconds },
        md,
        { deadline: Date.now() + (this.opts.timeoutMs ?? 10_000) },
        (err, res) => {
          if (err) {
            reject(new CitadelCallError(err.code, err.metadata?.get('sextant-error-code')[0]?.toString(), err.details || err.message));
            return;
          }
          const chain = res?.certChain ?? [];
          if (chain.length === 0) reject(new CitadelCallError(grpc.status.INTERNAL, undefined, 'the answer carries no certificate chain'));
          else resolve(chain);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
