// One root pino logger per process; libraries receive children with a scope.
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  name: string;
  level?: string;
  /** Pretty-print (human) instead of JSON lines. Default: stdout is a TTY. */
  pretty?: boolean;
  /** Write to this destination (default stdout). */
  destination?: pino.DestinationStream;
}

export function createRootLogger(settings: LoggerSettings): Logger {
  const opts: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    base: { component: settings.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty && !settings.destination) {
    return pino({ ...opts, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,component' } } });
  }
  return settings.destination ? pino(opts, settings.destination) : pino(opts);
}

/** A logger that drops everything: for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export function scoped(parent: Logger, scope: string, extra: Record<string, unknown> = {}): Logger {
  return parent.child({ scope, ...extra });
}
