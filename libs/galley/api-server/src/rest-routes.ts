// The REST mirror of the config API, on a fastify instance (Galley's admin
// server). Same semantics and errors as gRPC, as JSON:
//   POST   /apis/v1/apply        body: YAML/JSON manifest (or {manifest, source, dryRun, fieldManager})
//   POST   /apis/v1/validate     body: as apply
//   POST   /apis/v1/delete       body: manifest, or {refs, expectedResourceVersion, dryRun}
//   GET    /apis/v1/resources[/:kind[/:namespace/:name]]   (?namespace= for lists)
//   DELETE /apis/v1/resources/:kind/:namespace/:name      (?resourceVersion=&dryRun=)
//   GET    /apis/v1/resources/:kind/:namespace/:name/history
//   POST   /apis/v1/resources/:kind/:namespace/:name/rollback  (?toRevision=&dryRun=)
import * as grpc from '@grpc/grpc-js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ResourceRef } from '@sextant/config-model';
import type { OpResult } from '@sextant/config-store';
import { toServiceError } from '@sextant/grpc';
import type { Logger } from '@sextant/util';
import { MAX_INPUT_BYTES } from '@sextant/validation';
import type { ConfigIngest } from './config-ingest';
import { ConfigInvalidError, requestInvalid } from './errors';
import { toFieldError } from './field-errors';
import { parseRevision, requireKind, resolveRef } from './request-refs';
import { forDisplay } from './secret-documents';

const HTTP_BY_GRPC: Partial<Record<grpc.status, number>> = {
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.ALREADY_EXISTS]: 409,
  [grpc.status.FAILED_PRECONDITION]: 409,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.UNAUTHENTICATED]: 401,
  [grpc.status.UNAVAILABLE]: 503,
  [grpc.status.UNIMPLEMENTED]: 501,
};

export interface RestError {
  /** gRPC status name, e.g. INVALID_ARGUMENT. */
  code: string;
  /** Sextant error code, e.g. CONFIG_INVALID, STORE_STALE. */
  errorCode?: string;
  message: string;
  errors?: ReturnType<typeof toFieldError>[];
}

export function restError(err: unknown): { status: number; body: RestError } {
  const mapped = toServiceError(err);
  const body: RestError = { code: grpc.status[mapped.code] ?? 'UNKNOWN', message: mapped.details };
  const errorCode = mapped.metadata?.get('sextant-error-code')[0];
  if (typeof errorCode === 'string') body.errorCode = errorCode;
  if (err instanceof ConfigInvalidError) body.errors = err.errors.map(toFieldError);
  return { status: HTTP_BY_GRPC[mapped.code] ?? 500, body };
}

interface ManifestBody {
  manifest: string;
  source: string;
  dryRun: boolean;
  fieldManager?: string;
}

const truthy = (v: unknown) => v === true || v === 'true' || v === '1';

function manifestOf(body: unknown, query: Record<string, string | undefined>): ManifestBody {
  let manifest: string;
  let fromBody: Record<string, unknown> = {};
  if (typeof body === 'string') manifest = body;
  else if (body && typeof body === 'object' && typeof (body as Record<string, unknown>)['manifest'] === 'string') {
    fromBody = body as Record<string, unknown>;
    manifest = fromBody['manifest'] as string;
  } else if (body && typeof body === 'object') manifest = JSON.stringify(body);
  else throw requestInvalid('send a YAML or JSON manifest as the body (content-type application/yaml or application/json)');
  const fm = query['fieldManager'] ?? fromBody['fieldManager'];
  return {
    manifest,
    source: String(query['source'] ?? fromBody['source'] ?? '<request>'),
    dryRun: truthy(query['dryRun'] ?? fromBody['dryRun']),
    fieldManager: typeof fm === 'string' && fm ? fm : undefined,
  };
}

const applied = (r: OpResult) => ({ ref: r.ref, action: r.action, resourceVersion: String(r.revision) });

type Params = { kind?: string; namespace?: string; name?: string };
type Query = Record<string, string | undefined>;

export function registerRestRoutes(app: FastifyInstance, ingest: ConfigIngest, logger: Logger): void {
  const handle =
    <T>(fn: (params: Params, query: Query, body: unknown) => Promise<T>) =>
    async (req: { params: unknown; query: unknown; body: unknown }, reply: FastifyReply) => {
      try {
        return await fn(req.params as Params, req.query as Query, req.body);
      } catch (err) {
        const { status, body } = restError(err);
        if (status === 500) logger.error({ err }, 'REST config API call failed');
        return reply.code(status).send(body);
      }
    };

  void app.register(
    async (scope) => {
      scope.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_INPUT_BYTES }, (_req, body, done) =>
        done(null, body),
      );
      const ref = (p: Params): ResourceRef => resolveRef({ kind: p.kind, namespace: p.namespace, name: p.name });
      const opts = { bodyLimit: MAX_INPUT_BYTES };

      scope.post('/apply', opts, handle(async (_p, q, body) => {
        const m = manifestOf(body, q);
        const out = await ingest.apply([{ file: m.source, content: m.manifest }], { dryRun: m.dryRun, fieldManager: m.fieldManager });
        return { applied: out.results.map(applied), warnings: [...out.skipped, ...out.warnings].map(toFieldError), dryRun: out.dryRun };
      }));

      scope.post('/validate', opts, handle(async (_p, q, body) => {
        const m = manifestOf(body, q);
        const out = ingest.validate([{ file: m.source, content: m.manifest }]);
        return { valid: out.valid, errors: out.errors.map(toFieldError), warnings: [...out.skipped, ...out.warnings].map(toFieldError) };
      }));

      scope.post('/delete', opts, handle(async (_p, q, body) => {
        const b = body as Record<string, unknown> | undefined;
        if (b && typeof b === 'object' && Array.isArray(b['refs'])) {
          const refs = (b['refs'] as Partial<ResourceRef>[]).map(resolveRef);
          const expectedRevision = parseRevision(b['expectedResourceVersion'] as string | undefined);
          if (expectedRevision && refs.length !== 1) throw requestInvalid('expectedResourceVersion applies to one ref only');
          const out = await ingest.store.delete(refs, { expectedRevision, dryRun: truthy(b['dryRun'] ?? q['dryRun']) });
          return { deleted: out.results.filter((r) => r.action === 'deleted').map((r) => r.ref) };
        }
        const m = manifestOf(body, q);
        const out = await ingest.deleteManifest([{ file: m.source, content: m.manifest }], { dryRun: m.dryRun });
        return { deleted: out.results.filter((r) => r.action === 'deleted').map((r) => r.ref) };
      }));

      const list = handle(async (p, q) => {
        const kind = p.kind ? requireKind(p.kind).kind : undefined;
        const items = await ingest.store.list({ kind, namespace: q['namespace'] || undefined });
        return { items: items.map((s) => forDisplay(s.resource)) };
      });
      scope.get('/resources', list);
      scope.get('/resources/:kind', list);
      scope.get('/resources/:kind/:namespace/:name', handle(async (p) => forDisplay((await ingest.store.require(ref(p))).resource)));

      scope.delete('/resources/:kind/:namespace/:name', handle(async (p, q) => {
        const out = await ingest.store.delete([ref(p)], { expectedRevision: parseRevision(q['resourceVersion']), dryRun: truthy(q['dryRun']) });
        return { deleted: out.results.filter((r) => r.action === 'deleted').map((r) => r.ref) };
      }));

      scope.get('/resources/:kind/:namespace/:name/history', handle(async (p) => {
        const items = await ingest.store.history(ref(p));
        return { entries: items.map((h) => ({ resourceVersion: String(h.revision), operation: h.operation, created: h.created.toISOString(), resource: forDisplay(h.resource) ?? null })) };
      }));

      scope.post('/resources/:kind/:namespace/:name/rollback', handle(async (p, q, body) => {
        const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
        const toRevision = parseRevision(q['toRevision'] ?? (b['toResourceVersion'] as string | undefined), 'toRevision');
        const fm = q['fieldManager'] ?? b['fieldManager'];
        return applied(await ingest.store.rollback(ref(p), { toRevision, dryRun: truthy(q['dryRun'] ?? b['dryRun']), fieldManager: typeof fm === 'string' ? fm : undefined }));
      }));
    },
    { prefix: '/apis/v1' },
  );
}
