// The life of a Sextant service process: settings validated at start (a bad
// one exits 2 naming it), one root logger, the admin server, a NATS link that
// connects in the background and drives /readyz, and a shutdown on SIGINT or
// SIGTERM that runs hooks in reverse order and exits 0 within the grace.
import { AdminServer } from '@sextant/admin';
import { BUCKETS, NatsLink, openAllBuckets } from '@sextant/nats';
import { createRootLogger, loadSettings, settingsHelp, SettingsError, type Logger, type SettingsOf, type SettingsSpec } from '@sextant/util';
import { COMMON_SETTINGS } from './common-settings';

export type ShutdownHook = () => Promise<void> | void;

export interface ServiceContext<S extends SettingsSpec> {
  name: string;
  settings: SettingsOf<typeof COMMON_SETTINGS> & SettingsOf<S>;
  logger: Logger;
  admin: AdminServer;
  nats: NatsLink;
  /** Registers cleanup; hooks run in reverse order of registration. */
  onShutdown(hook: ShutdownHook): void;
  /** Marks a named dependency not ready / ready for /readyz. */
  setReady(name: string, ready: boolean, detail?: string): void;
}

export interface ServiceDefinition<S extends SettingsSpec> {
  name: string;
  description: string;
  settings: S;
  /** Wires the service; resolves once its listeners are bound. */
  start(ctx: ServiceContext<S>): Promise<void>;
}

export interface RunOptions {
  argv?: string[];
  env?: Record<string, string | undefined>;
  /** Do not install signal handlers or call process.exit (tests). */
  embedded?: boolean;
}

export interface RunningService {
  ctx: ServiceContext<SettingsSpec>;
  stop(reason?: string): Promise<void>;
}

export async function runService<S extends SettingsSpec>(def: ServiceDefinition<S>, opts: RunOptions = {}): Promise<RunningService> {
  const argv = opts.argv ?? process.argv.slice(2);
  const spec = { ...COMMON_SETTINGS, ...def.settings };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${def.name}: ${def.description}\n\nSettings (flag, environment variable, meaning):\n${settingsHelp(spec)}\n`);
    if (!opts.embedded) process.exit(0);
  }
  let settings: ServiceContext<S>['settings'];
  try {
    settings = loadSettings(spec, argv.filter((a) => a !== '--help' && a !== '-h'), opts.env ?? process.env) as ServiceContext<S>['settings'];
  } catch (err) {
    if (err instanceof SettingsError && !opts.embedded) {
      process.stderr.write(`${def.name}: ${err.message}\nRun with --help for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }

  const pretty = settings.logFormat === 'auto' ? undefined : settings.logFormat === 'pretty';
  const logger = createRootLogger({ name: def.name, level: settings.logLevel, pretty });
  const admin = new AdminServer({ component: def.name, logger });
  const nats = new NatsLink({ url: settings.natsUrl, name: def.name, logger: logger.child({ scope: 'nats' }) });
  const hooks: ShutdownHook[] = [];
  const readyState = new Map<string, { ready: boolean; detail?: string }>();

  const ctx: ServiceContext<S> = {
    name: def.name,
    settings,
    logger,
    admin,
    nats,
    onShutdown: (hook) => hooks.push(hook),
    setReady(name, ready, detail) {
      if (!readyState.has(name)) admin.addReadinessCheck(name, () => readyState.get(name) ?? { ready: false });
      readyState.set(name, { ready, detail });
    },
  };

  // NATS readiness: connected, and the contract's buckets are open.
  ctx.setReady('nats', false, `connecting to ${settings.natsUrl}`);
  nats.onChange((connected) => {
    if (!connected) {
      ctx.setReady('nats', false, `disconnected from ${settings.natsUrl}; reconnecting`);
      return;
    }
    openAllBuckets(nats.nc)
      .then(() => ctx.setReady('nats', true, `connected to ${settings.natsUrl}; buckets ${Object.values(BUCKETS).join(', ')}`))
      .catch((err: Error) => ctx.setReady('nats', false, `connected, but JetStream KV failed: ${err.message}`));
  });

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const hard = setTimeout(() => {
        logger.error('shutdown grace exceeded; exiting');
        if (!opts.embedded) process.exit(0);
      }, settings.shutdownGrace + 1_500);
      hard.unref();
      for (const hook of hooks.reverse()) {
        try {
          await hook();
        } catch (err) {
          logger.warn({ err }, 'shutdown hook failed');
        }
      }
      await admin.close().catch(() => undefined);
      await nats.close();
      clearTimeout(hard);
      logger.info('stopped');
      logger.flush?.();
    })();
    return stopping;
  };

  if (!opts.embedded) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.on(sig, () => {
        void stop(sig).then(() => process.exit(0));
      });
    }
  }

  try {
    nats.start();
    await def.start(ctx);
    const bound = await admin.listen(settings.host, settings.adminPort);
    logger.info({ admin: `http://${bound.host}:${bound.port}` }, `${def.name} started`);
  } catch (err) {
    logger.error({ err }, `${def.name} failed to start`);
    await stop('start failed');
    if (!opts.embedded) process.exit(1);
    throw err;
  }
  return { ctx: ctx as unknown as ServiceContext<SettingsSpec>, stop };
}
