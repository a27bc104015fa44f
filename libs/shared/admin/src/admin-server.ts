// The admin server every Sextant process shares: /healthz (alive), /readyz
// (every readiness check passes), /metrics (Prometheus), /debug (the list of
// debug handlers, each registered with its help text).
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

export type ReadinessCheck = () => { ready: boolean; detail?: string };
export type DebugHandler = (req: FastifyRequest, reply: FastifyReply) => unknown;

export interface AdminServerOptions {
  component: string;
  logger: Logger;
  registry?: Registry;
}

export class AdminServer {
  readonly app: FastifyInstance;
  readonly registry: Registry;
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly debug = new Map<string, string>();
  private address: { host: string; port: number } | undefined;

  constructor(private readonly opts: AdminServerOptions) {
    this.registry = opts.registry ?? new Registry();
    this.registry.setDefaultLabels({ component: opts.component });
    collectDefaultMetrics({ register: this.registry });
    this.app = Fastify({ loggerInstance: opts.logger.child({ scope: 'admin' }, { level: 'warn' }) as FastifyBaseLogger });
    this.app.get('/healthz', async () => ({ status: 'ok', component: opts.component }));
    this.app.get('/readyz', async (_req, reply) => {
      const status = this.readiness();
      return reply.code(status.ready ? 200 : 503).send(status);
    });
    this.app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.registry.contentType);
      return this.registry.metrics();
    });
    this.app.get('/debug', async () => ({
      component: opts.component,
      handlers: [...this.debug.entries()].map(([path, help]) => ({ path, help })),
    }));
    this.app.get('/debug/list', async () => [...this.debug.entries()].map(([path, help]) => ({ path, help })));
  }

  /** Adds a named readiness check; /readyz is 200 only when all pass. */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  readiness(): { ready: boolean; component: string; checks: Record<string, { ready: boolean; detail?: string }> } {
    const checks: Record<string, { ready: boolean; detail?: string }> = {};
    let ready = true;
    for (const [name, check] of this.checks) {
      let r: { ready: boolean; detail?: string };
      try {
        r = check();
      } catch (err) {
        r = { ready: false, detail: (err as Error).message };
      }
      checks[name] = r;
      ready &&= r.ready;
    }
    return { ready, component: this.opts.component, checks };
  }

  /** Registers GET /debug/<name> with its help text (listed at /debug). */
  registerDebugHandler(name: string, help: string, handler: DebugHandler): void {
    const path = `/debug/${name.replace(/^\/+/, '')}`;
    this.debug.set(path, help);
    this.app.get(path, handler);
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    await this.app.listen({ host, port });
    const addr = this.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('admin server has no address');
    this.address = { host, port: addr.port };
    return this.address;
  }

  get boundAddress(): { host: string; port: number } | undefined {
    return this.address;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
