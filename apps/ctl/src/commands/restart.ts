import type { Command } from 'commander';
import { sendControlRequest } from '@sextant/local-mesh';
import { stateDir } from '../paths';

export function registerRestart(program: Command): void {
  program
    .command('restart')
    .description('restart one workload instance of the local mesh gracefully: it leaves every peer\'s endpoints, drains, then its sidecar and app start again')
    .argument('<instance>', 'instance name as `sextant status` shows it, e.g. reviews-v2-0')
    .action(async (instance: string) => {
      try {
        const r = await sendControlRequest(stateDir(), { action: 'restart', instance });
        if (!r.ok) {
          process.stderr.write(`restart ${instance} failed: ${r.error}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${instance} restarted (${(r.ms / 1000).toFixed(1)} s)\n`);
      } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
