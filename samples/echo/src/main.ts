// The echo workload's entry point: read who we are, serve every port, and
// drain on SIGTERM/SIGINT.
import pino from 'pino';
import { createRootLogger, errorMessage } from '@sextant/util';
import { startEcho } from './echo-app';
import { parseEchoOptions, USAGE } from './options';

const DRAIN_MS = 4000;

async function main(): Promise<void> {
  let options;
  try {
    options = parseEchoOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`echo: ${errorMessage(err)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { identity } = options;
  const log = createRootLogger({ name: 'echo', level: options.logLevel, pretty: false, destination: pino.destination({ dest: 1, sync: true }) }).child({
    service: identity.service,
    version: identity.version,
    instance: identity.instance,
  });
  const app = await startEcho(identity, { log, ...(options.tcpPrefix ? { tcpPrefix: options.tcpPrefix } : {}) });
  log.info({ address: identity.address, ports: app.servers.map((s) => ({ protocol: s.protocol, port: s.port })) }, 'echo serving');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    app.close(DRAIN_MS).then(
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
  process.stderr.write(`echo: ${errorMessage(err)}\n`);
  process.exit(1);
});
