// `sextant`: the mesh's CLI, what istioctl is to Istio.
import { Command } from 'commander';
import { COMMANDS } from './commands';

const program = new Command('sextant')
  .description('Sextant service mesh CLI')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });
for (const register of COMMANDS) register(program);

await program.parseAsync(process.argv);
