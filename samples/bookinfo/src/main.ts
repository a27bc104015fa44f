// Bookinfo's entry point: one bundle, four roles (productpage, details,
// reviews, ratings) chosen by the first argument or SEXTANT_SERVICE.
import pino from 'pino';
import { createRootLogger, errorMessage, settingsHelp } from '@sextant/util';
import { startRole } from './roles';
import { BOOKINFO_SETTINGS, loadBookinfoConfig, ROLES } from './settings';

const USAGE = `usage: bookinfo <${ROLES.join('|')}> [--flag value ...]   (or set SEXTANT_SERVICE)
Identity, address and port come from SEXTANT_* (see libs/mesh/workloads). Settings:
${settingsHelp(BOOKINFO_SETTINGS)}`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let config;
  try {
    config = loadBookinfoConfig(argv);
  } catch (err) {
    process.stderr.write(`bookinfo: ${errorMessage(err)}\n${USAGE}\n`);
    process.exit(2);
  }
  const { identity } = config;
  const log = createRootLogger({ name: 'bookinfo', level: config.settings.logLevel, pretty: false, destination: pino.destination({ dest: 1, sync: true }) }).child({
    service: config.role,
    version: identity.version,
    instance: identity.instance,
  });
  const running = await startRole(config, log);
  log.info({ role: running.role, address: running.address, port: running.port }, 'bookinfo serving');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    // Never hang on a stuck connection: leave within a few seconds regardless.
    setTimeout(() => process.exit(0), 4000).unref();
    running.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`bookinfo: ${errorMessage(err)}\n`);
  process.exit(1);
});
