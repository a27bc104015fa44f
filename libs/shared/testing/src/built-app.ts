// Starts an application the way users run it: the esbuild bundle under
// dist/, as a child process, with flags and environment.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '@sextant/util';

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');

const built = new Set<string>();

/** Bundles one app (once per test process). */
export function buildApp(project: string): void {
  if (built.has(project)) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/build.mjs'), project], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build of ${project} failed:\n${r.stderr}`);
  built.add(project);
}

export interface RunningApp {
  process: ChildProcess;
  output(): string;
  /** Sends a signal and resolves with the exit code (or rejects after timeoutMs). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
  exited(): Promise<number | null>;
}

export function startApp(bundleDir: string, args: string[], env: Record<string, string>): RunningApp {
  const main = join(REPO_ROOT, 'dist', bundleDir, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: call buildApp first`);
  const child = spawn(process.execPath, [main, ...args], { cwd: REPO_ROOT, env: { ...process.env, SEXTANT_LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    process: child,
    output: () => out,
    exited: () => exit,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      const t0 = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return { code, ms: Date.now() - t0 };
    },
  };
}

/** Waits until GET url answers with `status`. */
export async function waitForHttp(url: string, status = 200, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return r.status === status;
    },
    { timeoutMs, intervalMs: 100, what: `${url} to answer ${status}` },
  );
}
