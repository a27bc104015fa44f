// GRPC ports: the sextant.echo.v1.Echo service (echo.proto). Control
// headers arrive as metadata; x-echo-status becomes a gRPC status by gRPC's
// HTTP mapping (503 -> UNAVAILABLE), fail-first fails with UNAVAILABLE.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { errorMessage, sleep } from '@sextant/util';
import { ControlError, grpcCodeForHttpStatus, parseControls } from './behaviour';
import type { EchoContext, RunningServer } from './echo-context';

export interface EchoRequest {
  message: string;
}

export interface EchoResponse {
  message: string;
  service: string;
  version: string;
  instance: string;
  headers: Record<string, string>;
}

/** echo.proto beside the running file (the bundle), else in the project root (sources). */
export function echoProtoPath(): string {
  const candidates = [new URL('./echo.proto', import.meta.url), new URL('../echo.proto', import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  throw new Error(`echo.proto not found (looked at ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

export function loadEchoService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(echoProtoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { sextant: { echo: { v1: { Echo: grpc.ServiceClientConstructor } } } };
  return pkg.sextant.echo.v1.Echo;
}

/** Metadata as a flat map: repeated keys joined with ", ", binary values base64. */
export function metadataToHeaders(md: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, values] of Object.entries(md.toJSON())) {
    out[k] = values.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)).join(', ');
  }
  return out;
}

function statusError(code: grpc.status, details: string): grpc.ServiceError {
  const err = new Error(details) as grpc.ServiceError;
  err.code = code;
  err.details = details;
  err.metadata = new grpc.Metadata();
  return err;
}

export function startGrpcServer(ctx: EchoContext, address: string, port: number): Promise<RunningServer> {
  const { identity, stats, log } = ctx;
  const Echo = loadEchoService();
  const server = new grpc.Server();

  const echo = async (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>): Promise<EchoResponse> => {
    const headers = metadataToHeaders(call.metadata);
    let controls;
    try {
      controls = parseControls(headers);
    } catch (err) {
      throw statusError(grpc.status.INVALID_ARGUMENT, errorMessage(err));
    }
    const admission = stats.admit(controls, 'Echo', 'gRPC');
    if (controls.delayMs) await sleep(controls.delayMs);
    if (admission.failing) {
      throw statusError(
        grpc.status.UNAVAILABLE,
        `failing request ${admission.attempt} of the first ${controls.failFirst} with x-echo-id ${controls.id}`,
      );
    }
    if (controls.status !== undefined) {
      const code = grpcCodeForHttpStatus(controls.status);
      if (code !== grpc.status.OK) throw statusError(code, `x-echo-status ${controls.status} asked for this error`);
    }
    return { message: call.request.message, service: identity.service, version: identity.version, instance: identity.instance, headers };
  };

  server.addService(Echo.service, {
    Echo: (call: grpc.ServerUnaryCall<EchoRequest, EchoResponse>, callback: grpc.sendUnaryData<EchoResponse>) => {
      const started = Date.now();
      const respond = (err: grpc.ServiceError | null, res?: EchoResponse) => {
        log.debug({ protocol: 'gRPC', method: 'Echo', port, code: err?.code ?? 0, durationMs: Date.now() - started }, 'request');
        const md = new grpc.Metadata();
        md.set('x-echo-service', identity.service);
        md.set('x-echo-version', identity.version);
        md.set('x-echo-instance', identity.instance);
        if (err) {
          // A failure is Trailers-Only (identity in the trailers): gRPC clients may
          // retry a call only until response headers arrive.
          err.metadata = err.metadata ?? new grpc.Metadata();
          err.metadata.merge(md);
          callback(err);
          return;
        }
        call.sendMetadata(md);
        callback(null, res);
      };
      echo(call).then(
        (res) => respond(null, res),
        (err: unknown) =>
          respond(
            err instanceof Error && 'code' in err
              ? (err as grpc.ServiceError)
              : statusError(err instanceof ControlError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, errorMessage(err)),
          ),
      );
    },
  });

  const host = address.includes(':') ? `[${address}]` : address;
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err) return reject(err);
      const close = (graceMs = 5000) =>
        new Promise<void>((done) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            done();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(force);
            done();
          });
        });
      resolve({ protocol: 'GRPC', address, port: bound, close });
    });
  });
}
