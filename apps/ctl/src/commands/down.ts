import type { Command } from 'commander';
import { stopMesh } from '@sextant/local-mesh';
import { stateDir } from '../paths';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the local mesh and everything it started')
    .action(async () => {
      const r = await stopMesh(stateDir());
      process.stdout.write(`${r.message}\n`);
    });
}
