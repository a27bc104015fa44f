// Applies capture rules in the current network namespace (run it inside the
// workload's namespace, e.g. `ip netns exec NS sextant proxy iptables`).
import { spawnSync } from 'node:child_process';
import { buildCaptureRules, cleanupCommands, type CaptureOptions } from './iptables-rules';

export class CaptureApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureApplyError';
  }
}

function run(cmd: string, args: string[], input?: string): { code: number; out: string } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) throw new CaptureApplyError(`${cmd} could not run: ${r.error.message} (install iptables: apt-get install -y iptables)`);
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Installs the rules atomically (iptables-restore); removes old ones first. */
export function applyCaptureRules(options: Partial<CaptureOptions> = {}): string {
  const rules = buildCaptureRules(options);
  removeCaptureRules();
  const r = run('iptables-restore', ['--noflush'], rules);
  if (r.code !== 0) throw new CaptureApplyError(`iptables-restore failed (need root / CAP_NET_ADMIN in the workload's namespace): ${r.out}`);
  return rules;
}

/** Removes the rules; missing chains are fine. */
export function removeCaptureRules(): void {
  for (const args of cleanupCommands()) run('iptables', args);
}

/** The nat table as iptables-save prints it. */
export function currentNatRules(): string {
  return run('iptables-save', ['-t', 'nat']).out;
}
