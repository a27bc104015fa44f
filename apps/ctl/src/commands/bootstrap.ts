import type { Command } from 'commander';
import { proxylessBootstrap, runningMesh } from '@sextant/local-mesh';
import { stateDir } from '../paths';

export function registerBootstrap(program: Command): void {
  program
    .command('bootstrap')
    .description('print an xDS bootstrap file for a proxyless gRPC client (use it as GRPC_XDS_BOOTSTRAP)')
    .requiredOption('--proxyless', 'bootstrap for proxyless gRPC (the only kind so far)')
    .requiredOption('--workload <name>', 'workload (or instance) the client runs as')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--pilot <address>', "Pilot's xDS address host:port (default: the local mesh's)")
    .action((opts: { workload: string; namespace: string; pilot?: string }) => {
      const mesh = runningMesh(stateDir());
      const pilot = mesh?.components.find((c) => c.name === 'pilot');
      const xdsAddress = opts.pilot ?? process.env['SEXTANT_PILOT_ADDRESS'] ?? (pilot ? `${pilot.host}:${pilot.ports['xds']}` : undefined);
      if (!xdsAddress) {
        process.stderr.write('No Pilot address: start the local mesh (`sextant up`) or pass --pilot host:port.\n');
        process.exitCode = 1;
        return;
      }
      const known = mesh?.workloads.find((w) => w.namespace === opts.namespace && (w.name === opts.workload || w.instance === opts.workload));
      const bootstrap = proxylessBootstrap({
        xdsAddress,
        workload: known?.name ?? opts.workload,
        namespace: opts.namespace,
        instance: known?.instance,
        ip: known?.address,
        serviceAccount: known?.serviceAccount,
        labels: known?.labels,
      });
      process.stdout.write(`${JSON.stringify(bootstrap, null, 2)}\n`);
    });
}
