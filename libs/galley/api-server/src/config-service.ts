// sextant.galley.v1.ConfigService over gRPC: thin handlers over the ingest
// path and the store. Validation failures are INVALID_ARGUMENT with one line
// per error in the message and every error as a FieldError in the trailers.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { Resource, ResourceRef } from '@sextant/config-model';
import type { OpResult, StoredResource } from '@sextant/config-store';
import { toServiceError } from '@sextant/grpc';
import type { ConfigServiceHandlers, GalleyV1 } from '@sextant/proto';
import type { Logger } from '@sextant/util';
import type { ConfigIngest } from './config-ingest';
import { ConfigInvalidError, requestInvalid } from './errors';
import { addFieldErrors, toFieldError } from './field-errors';
import { parseRevision, requireKind, resolveRef } from './request-refs';
import { forDisplay } from './secret-documents';

export function toGrpcError(err: unknown, logger?: Logger): grpc.ServiceError {
  const mapped = toServiceError(err);
  const metadata = mapped.metadata ?? new grpc.Metadata();
  if (err instanceof ConfigInvalidError) addFieldErrors(metadata, err.errors);
  if (mapped.code === grpc.status.INTERNAL) logger?.error({ err }, 'config API call failed');
  return Object.assign(new Error(mapped.details), { code: mapped.code, details: mapped.details, metadata });
}

export function resourceMessage(s: { ref: ResourceRef; revision: number; resource: Resource }): GalleyV1.Resource {
  return { ref: s.ref, json: JSON.stringify(forDisplay(s.resource)), resourceVersion: String(s.revision) };
}

function applied(r: OpResult): GalleyV1.AppliedResource {
  return { ref: r.ref, action: r.action, resourceVersion: String(r.revision) };
}

function unary<Req, Res>(logger: Logger, fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => callback(toGrpcError(err, logger)),
    );
  };
}

export function configServiceHandlers(ingest: ConfigIngest, logger: Logger): ConfigServiceHandlers {
  return {
    Apply: unary(logger, async (req: GalleyV1.ApplyRequest__Output) => {
      const out = await ingest.apply([{ file: req.source || '<request>', content: req.manifest }], { dryRun: req.dryRun, fieldManager: req.fieldManager || undefined });
      return { applied: out.results.map(applied), warnings: [...out.skipped, ...out.warnings].map(toFieldError), dryRun: out.dryRun };
    }),

    Delete: unary(logger, async (req: GalleyV1.DeleteRequest__Output) => {
      const refs = req.refs.map(resolveRef);
      if (!refs.length) throw requestInvalid('Delete needs at least one ref');
      const expectedRevision = parseRevision(req.expectedResourceVersion, 'expected_resource_version');
      if (expectedRevision && refs.length !== 1) throw requestInvalid('expected_resource_version applies to one ref only');
      const out = await ingest.store.delete(refs, { expectedRevision, dryRun: req.dryRun });
      return { deleted: out.results.filter((r) => r.action === 'deleted').map((r) => r.ref) };
    }),

    Get: unary(logger, async (req: GalleyV1.GetRequest__Output) => resourceMessage(await ingest.store.require(resolveRef(req.ref)))),

    List: unary(logger, async (req: GalleyV1.ListRequest__Output) => {
      const kind = req.kind ? requireKind(req.kind).kind : undefined;
      const list: StoredResource[] = await ingest.store.list({ kind, namespace: req.namespace || undefined });
      return { resources: list.map(resourceMessage) };
    }),

    Watch: (call: grpc.ServerWritableStream<GalleyV1.WatchRequest__Output, GalleyV1.WatchEvent>) => {
      void streamWatch(ingest, call, logger);
    },

    Validate: unary(logger, async (req: GalleyV1.ValidateRequest__Output) => {
      const out = ingest.validate([{ file: req.source || '<request>', content: req.manifest }]);
      return { valid: out.valid, errors: out.errors.map(toFieldError), warnings: [...out.skipped, ...out.warnings].map(toFieldError) };
    }),

    History: unary(logger, async (req: GalleyV1.HistoryRequest__Output) => {
      const items = await ingest.store.history(resolveRef(req.ref));
      return {
        entries: items.map((h) => ({ resourceVersion: String(h.revision), operation: h.operation, created: h.created.toISOString(), json: h.resource ? JSON.stringify(forDisplay(h.resource)) : '' })),
      };
    }),

    Rollback: unary(logger, async (req: GalleyV1.RollbackRequest__Output) => {
      const ref = resolveRef(req.ref);
      const toRevision = parseRevision(req.toResourceVersion, 'to_resource_version');
      return applied(await ingest.store.rollback(ref, { toRevision, dryRun: req.dryRun, fieldManager: req.fieldManager || undefined }));
    }),
  };
}

async function streamWatch(ingest: ConfigIngest, call: grpc.ServerWritableStream<GalleyV1.WatchRequest__Output, GalleyV1.WatchEvent>, logger: Logger): Promise<void> {
  let watch;
  try {
    const kind = call.request.kind ? requireKind(call.request.kind).kind : undefined;
    watch = ingest.store.watch({ kind, namespace: call.request.namespace || undefined, includeInitial: call.request.includeInitial });
  } catch (err) {
    call.emit('error', toGrpcError(err, logger));
    return;
  }
  call.on('cancelled', () => watch.stop());
  call.on('close', () => watch.stop());
  const send = async (event: GalleyV1.WatchEvent) => {
    if (!call.write(event) && !call.cancelled) await Promise.race([once(call, 'drain'), once(call, 'close'), once(call, 'cancelled')]);
  };
  try {
    for await (const update of watch) {
      for (const [i, c] of update.changes.entries()) {
        const event: GalleyV1.WatchEvent = { type: c.type, resource: resourceMessage(c) };
        if (update.batch) Object.assign(event, { batch: update.batch, batchEnd: i === update.changes.length - 1, partial: !!update.partial });
        await send(event);
      }
      if (update.initial) await send({ type: 'SYNCED' });
    }
    if (!call.cancelled) call.end();
  } catch (err) {
    if (!call.cancelled) call.emit('error', toGrpcError(err, logger));
  }
}
