// A promise-based client of Galley's config API, for the CLI, tests and
// tools. Failed calls reject with ConfigCallError, which carries the gRPC
// status, the message and the structured FieldErrors from the trailers.
import * as grpc from '@grpc/grpc-js';
import { CLIENT_OPTIONS } from '@sextant/grpc';
import { configServiceDefinition, type ConfigServiceClient, type GalleyV1 } from '@sextant/proto';
import { readFieldErrors, type FieldError } from './field-errors';

export class ConfigCallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
    readonly fieldErrors: FieldError[],
    readonly errorCode: string | undefined,
  ) {
    super(details);
    this.name = 'ConfigCallError';
  }

  /** e.g. INVALID_ARGUMENT */
  get statusName(): string {
    return grpc.status[this.code] ?? String(this.code);
  }
}

type Unary<Req, Res> = (req: Req, metadata: grpc.Metadata, options: grpc.CallOptions, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

export class ConfigClient {
  private readonly client: ConfigServiceClient;

  constructor(
    readonly address: string,
    private readonly timeoutMs = 30_000,
  ) {
    const Ctor = configServiceDefinition();
    this.client = new Ctor(address, grpc.credentials.createInsecure(), CLIENT_OPTIONS) as unknown as ConfigServiceClient;
  }

  /** Resolves when a connection is up; rejects after `ms`. */
  waitReady(ms: number): Promise<void> {
    return new Promise((resolve, reject) => this.client.waitForReady(new Date(Date.now() + ms), (err) => (err ? reject(err) : resolve())));
  }

  apply(req: GalleyV1.ApplyRequest): Promise<GalleyV1.ApplyResponse__Output> {
    return this.call(this.client.Apply.bind(this.client) as Unary<GalleyV1.ApplyRequest, GalleyV1.ApplyResponse__Output>, req);
  }

  delete(req: GalleyV1.DeleteRequest): Promise<GalleyV1.DeleteResponse__Output> {
    return this.call(this.client.Delete.bind(this.client) as Unary<GalleyV1.DeleteRequest, GalleyV1.DeleteResponse__Output>, req);
  }

  get(ref: GalleyV1.ResourceRef): Promise<GalleyV1.Resource__Output> {
    return this.call(this.client.Get.bind(this.client) as Unary<GalleyV1.GetRequest, GalleyV1.Resource__Output>, { ref });
  }

  list(req: GalleyV1.ListRequest = {}): Promise<GalleyV1.ListResponse__Output> {
    return this.call(this.client.List.bind(this.client) as Unary<GalleyV1.ListRequest, GalleyV1.ListResponse__Output>, req);
  }

  validate(req: GalleyV1.ValidateRequest): Promise<GalleyV1.ValidateResponse__Output> {
    return this.call(this.client.Validate.bind(this.client) as Unary<GalleyV1.ValidateRequest, GalleyV1.ValidateResponse__Output>, req);
  }

  history(ref: GalleyV1.ResourceRef): Promise<GalleyV1.HistoryResponse__Output> {
    return this.call(this.client.History.bind(this.client) as Unary<GalleyV1.HistoryRequest, GalleyV1.HistoryResponse__Output>, { ref });
  }

  rollback(req: GalleyV1.RollbackRequest): Promise<GalleyV1.AppliedResource__Output> {
    return this.call(this.client.Rollback.bind(this.client) as Unary<GalleyV1.RollbackRequest, GalleyV1.AppliedResource__Output>, req);
  }

  /** The server stream; cancel() it to stop. */
  watch(req: GalleyV1.WatchRequest): grpc.ClientReadableStream<GalleyV1.WatchEvent__Output> {
    return this.client.Watch(req);
  }

  close(): void {
    this.client.close();
  }

  private call<Req, Res>(method: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method(req, new grpc.Metadata(), { deadline: new Date(Date.now() + this.timeoutMs) }, (err, res) => {
        if (err) reject(toCallError(err));
        else resolve(res!);
      });
    });
  }
}

export function toCallError(err: grpc.ServiceError): ConfigCallError {
  const code = err.metadata?.get('sextant-error-code')[0];
  return new ConfigCallError(err.code, err.details ?? err.message, readFieldErrors(err.metadata), typeof code === 'string' ? code : undefined);
}
