import type { Command } from 'commander';
import { allHealthy, formatStatus, meshStatus, readState } from '@sextant/local-mesh';
import { stateDir } from '../paths';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('health of NATS, each component and each workload instance of the local mesh')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: { output: string }) => {
      if (!['table', 'json'].includes(opts.output)) {
        process.stderr.write(`--output must be table or json, got ${JSON.stringify(opts.output)}\n`);
        process.exitCode = 2;
        return;
      }
      const dir = stateDir();
      const status = await meshStatus(readState(dir), dir);
      process.stdout.write(opts.output === 'json' ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
      if (!allHealthy(status)) process.exitCode = 1;
    });
}
