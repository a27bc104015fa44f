// Applies capture rules in the current network namespace (run it inside the
// workload's namespace, e.g. `ip netns exec NS sextant proxy iptables`).
// Idempotent: whatever an earlier run left is removed first, so a re-run
// replaces the rules, and removeCaptureRules leaves the nat table as it was.
import { spawnSync } from 'node:child_process';
import { buildCaptureRules, chainCleanup, CHAINS, jumpRules, type CaptureOptions } from './iptables-rules';

export class CaptureApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureApplyError';
  }
}

/** How commands run (tests and --dry-run may swap it). */
export type Runner = (cmd: string, args: string[], input?: string) => { code: number; out: string };

export const runCommand: Runner = (cmd, args, input) => {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CaptureApplyError(missing ? `${cmd} is not installed (apt-get install -y iptables)` : `${cmd} could not run: ${r.error.message}`);
  }
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}`.trim() };
};

function privilegeHint(out: string): string {
  return /permission denied|you must be root|Operation not permitted/i.test(out) ? ' (needs root, or CAP_NET_ADMIN in the workload\'s network namespace)' : '';
}

/** Checks iptables is there and usable here; throws a CaptureApplyError saying what is wrong. */
export function checkIptables(run: Runner = runCommand): void {
  const probe = run('iptables', ['-t', 'nat', '-S', 'OUTPUT']);
  if (probe.code === 0) return;
  const uid = process.getuid?.();
  const who = uid !== undefined && uid !== 0 ? `not root (uid ${uid}); run as root or with CAP_NET_ADMIN` : `iptables cannot read the nat table${privilegeHint(probe.out)}`;
  throw new CaptureApplyError(`${who}: ${probe.out}`);
}

/** Installs the rules atomically (iptables-restore --noflush) after removing old ones; returns what it installed. */
export function applyCaptureRules(options: Partial<CaptureOptions> = {}, run: Runner = runCommand): string {
  const rules = buildCaptureRules(options);
  checkIptables(run);
  removeCaptureRules(run);
  const r = run('iptables-restore', ['--noflush'], rules);
  if (r.code !== 0) throw new CaptureApplyError(`iptables-restore failed${privilegeHint(r.out)}: ${r.out}`);
  return rules;
}

/** Removes every jump and chain the rules added (repeated jumps too); what is absent is fine. */
export function removeCaptureRules(run: Runner = runCommand): void {
  for (const args of jumpRules()) {
    // -D removes one copy; earlier tools may have added several.
    for (let i = 0; i < 16 && run('iptables', args).code === 0; i++);
  }
  for (const args of chainCleanup()) run('iptables', args);
}

/** The nat table as iptables-save prints it. */
export function currentNatRules(run: Runner = runCommand): string {
  return run('iptables-save', ['-t', 'nat']).out;
}

/** Whether the capture chains exist in this namespace's nat table. */
export function captureInstalled(run: Runner = runCommand): boolean {
  return currentNatRules(run).includes(`:${CHAINS.output} `);
}
