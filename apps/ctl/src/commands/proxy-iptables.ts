// `sextant proxy iptables`: what Istio's init container does, for the
// network namespace this runs in (`ip netns exec NS sextant proxy iptables
// --proxy-uid 1337`): inbound TCP to the proxy's 15006, the app's outbound
// TCP to 15001, the proxy's own traffic (by uid/gid) left alone. Re-running
// replaces the rules; --cleanup removes them; --dry-run prints them.
import type { Command } from 'commander';
import {
  applyCaptureRules,
  buildCaptureRules,
  CaptureApplyError,
  CaptureOptionsError,
  DEFAULT_CAPTURE,
  parseCidrList,
  parsePortList,
  removeCaptureRules,
  checkIptables,
  type CaptureOptions,
} from '@sextant/capture';
import { CliError, runCli } from './proxy-status';

interface IptablesFlags {
  proxyUid?: string;
  proxyGid?: string;
  inboundCapturePort: string;
  outboundCapturePort: string;
  inboundPorts: string;
  excludeInboundPorts: string;
  excludeOutboundPorts: string;
  excludeOutboundCidrs: string;
  includeOutboundCidrs: string;
  dryRun?: boolean;
  cleanup?: boolean;
}

function id(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new CaptureOptionsError(`${flag}: ${JSON.stringify(text)} is not a numeric id`);
  return Number(text);
}

function port(text: string, flag: string): number {
  const list = parsePortList(text, flag);
  if (list === '*' || list.length !== 1) throw new CaptureOptionsError(`${flag}: ${JSON.stringify(text)} is not one port (1-65535)`);
  return list[0]!;
}

/** The capture options the flags describe (exported for tests). */
export function captureOptionsFromFlags(f: IptablesFlags): CaptureOptions {
  const proxyUid = id(f.proxyUid, '--proxy-uid');
  const proxyGid = id(f.proxyGid, '--proxy-gid');
  if (proxyUid === undefined && proxyGid === undefined) throw new CaptureOptionsError('--proxy-uid or --proxy-gid is required: the proxy\'s own traffic must not be captured (Istio runs it as 1337)');
  const inboundPort = port(f.inboundCapturePort, '--inbound-capture-port');
  const outboundPort = port(f.outboundCapturePort, '--outbound-capture-port');
  const extra = parsePortList(f.excludeInboundPorts, '--exclude-inbound-ports') as number[];
  return {
    // Only the owners given are exempt (no silent 1337 default for the other).
    proxyUid,
    proxyGid,
    inboundPort,
    outboundPort,
    inboundPorts: parsePortList(f.inboundPorts, '--inbound-ports', true),
    // The proxy's own ports are never captured, whatever else is excluded.
    excludeInboundPorts: [...new Set([...DEFAULT_CAPTURE.excludeInboundPorts, inboundPort, outboundPort, ...extra])],
    excludeOutboundPorts: parsePortList(f.excludeOutboundPorts, '--exclude-outbound-ports') as number[],
    excludeOutboundCidrs: parseCidrList(f.excludeOutboundCidrs, '--exclude-outbound-cidrs') as string[],
    includeOutboundCidrs: parseCidrList(f.includeOutboundCidrs, '--include-outbound-cidrs', true),
  };
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof CaptureOptionsError) throw new CliError(err.message, 2);
    if (err instanceof CaptureApplyError) throw new CliError(err.message, 1);
    throw err;
  }
}

export function registerProxyIptables(program: Command): void {
  const proxy = program.commands.find((c) => c.name() === 'proxy') ?? program.command('proxy').description('sidecar set-up for a workload (transparent capture)');
  proxy
    .command('iptables')
    .description("Istio-init-like REDIRECT rules in this network namespace (run inside the workload's: `ip netns exec NS sextant proxy iptables --proxy-uid 1337`)")
    .option('--proxy-uid <uid>', "uid the proxy runs as; its traffic is not captured")
    .option('--proxy-gid <gid>', "gid the proxy runs as; its traffic is not captured")
    .option('--inbound-capture-port <port>', 'where inbound traffic is redirected (the proxy\'s virtualInbound)', String(DEFAULT_CAPTURE.inboundPort))
    .option('--outbound-capture-port <port>', 'where outbound traffic is redirected (the proxy\'s virtualOutbound)', String(DEFAULT_CAPTURE.outboundPort))
    .option('--inbound-ports <list>', 'inbound ports to capture: comma-separated, or * for all', '*')
    .option('--exclude-inbound-ports <list>', `inbound ports never captured, besides ${DEFAULT_CAPTURE.excludeInboundPorts.join(',')}`, '')
    .option('--exclude-outbound-ports <list>', 'outbound destination ports never captured', '')
    .option('--exclude-outbound-cidrs <list>', 'outbound destination CIDRs never captured', '')
    .option('--include-outbound-cidrs <list>', 'outbound destination CIDRs captured: comma-separated, or * for all', '*')
    .option('--dry-run', 'print the iptables-restore input instead of applying it')
    .option('--cleanup', 'remove the rules (and chains) this command installs')
    .action((flags: IptablesFlags) =>
      runCli(async () =>
        guard(() => {
          if (flags.cleanup) {
            if (flags.dryRun) {
              process.stdout.write('# would remove the ISTIO_* jumps from PREROUTING/OUTPUT and the ISTIO_* chains of the nat table\n');
              return;
            }
            checkIptables();
            removeCaptureRules();
            process.stdout.write('capture rules removed\n');
            return;
          }
          const options = captureOptionsFromFlags(flags);
          if (flags.dryRun) {
            process.stdout.write(buildCaptureRules(options));
            return;
          }
          const rules = applyCaptureRules(options);
          process.stdout.write(rules);
        }),
      ),
    );
}
