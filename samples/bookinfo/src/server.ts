// What every Bookinfo role shares: a fastify server that logs one JSON line
// per request, a health route, and outbound JSON calls through the mesh with
// a per-attempt timeout and retries.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { errorMessage, type Logger } from '@sextant/util';
import type { MeshClient } from '@sextant/workloads';

export interface RunningRole {
  role: string;
  address: string;
  port: number;
  close(): Promise<void>;
}

export function createApp(log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  app.addHook('onResponse', async (req, reply) => {
    log.info({ method: req.method, url: req.url, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) }, 'request');
  });
  return app;
}

export async function serve(app: FastifyInstance, role: string, address: string, port: number): Promise<RunningRole> {
  await app.listen({ host: address, port });
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return { role, address, port: bound, close: () => app.close() };
}

export type CallResult<T> =
  | { ok: true; status: number; body: T; headers: Record<string, string | string[] | undefined> }
  | { ok: false; status: number; error: string; attempts: number };

export interface CallOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  /** Total tries (1 = no retry). */
  attempts?: number;
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * GET a JSON document. Like Istio's productpage, anything but a 200 with a
 * JSON body counts as a failure and is retried while attempts remain; the
 * failure's status is the last answer's, or 500 when none came back.
 */
export async function getJson<T>(mesh: MeshClient, url: string, opts: CallOptions): Promise<CallResult<T>> {
  const attempts = opts.attempts ?? 1;
  let status = 500;
  let error = '';
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await mesh.request(url, { headers: opts.headers, timeoutMs: opts.timeoutMs });
      status = res.status;
      if (res.status === 200) {
        try {
          return { ok: true, status, body: JSON.parse(res.body.toString('utf8')) as T, headers: res.headers };
        } catch (err) {
          error = `bad JSON from ${url}: ${errorMessage(err)}`;
        }
      } else {
        error = `${url} answered ${res.status}`;
      }
    } catch (err) {
      status = 500;
      error = errorMessage(err);
    }
    opts.log?.warn({ url, attempt: i, of: attempts, error }, 'upstream call failed');
  }
  return { ok: false, status, error, attempts };
}
