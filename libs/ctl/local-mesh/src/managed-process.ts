// A child process the supervisor owns: its own process group (so a stop
// reaches its children too), output appended to a log file, restarted with
// backoff when it dies unexpectedly, stopped with SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@sextant/util';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  log: string;
  logger: Logger;
  restart: boolean;
  onRestart?: (pid: number | undefined) => void;
  /** Runs before every restart (e.g. a fresh bootstrap token); a failure is logged and the process starts anyway. */
  prepare?: () => Promise<void>;
}

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  restarts = 0;
  private lastStart = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ManagedProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    mkdirSync(dirname(this.opts.log), { recursive: true });
    const fd = openSync(this.opts.log, 'a');
    this.lastStart = Date.now();
    const child = spawn(this.opts.command, this.opts.args, {
      cwd: this.opts.cwd,
      env: { ...process.env, ...this.opts.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.opts.logger.warn({ component: this.opts.name, code, signal, log: this.opts.log }, `${this.opts.name} exited unexpectedly`);
      if (!this.opts.restart) return;
      // Back off when it keeps dying right after start.
      const delay = Date.now() - this.lastStart < 5_000 ? Math.min(10_000, 500 * 2 ** Math.min(this.restarts, 5)) : 500;
      this.restartTimer = setTimeout(() => {
        if (this.stopping) return;
        void this.prepared().then(() => {
          if (this.stopping) return;
          this.restarts++;
          this.start();
          this.opts.onRestart?.(this.pid);
        });
      }, delay);
    });
    child.once('error', (err) => this.opts.logger.error({ err, component: this.opts.name }, 'cannot start process'));
  }

  /** An intended restart: stop (SIGTERM, SIGKILL after graceMs) if running, then start again; counted as a restart. */
  async restart(graceMs = 10_000): Promise<void> {
    await this.stop(graceMs);
    await this.prepared();
    this.stopping = false;
    this.restarts++;
    this.start();
    this.opts.onRestart?.(this.pid);
  }

  private async prepared(): Promise<void> {
    try {
      await this.opts.prepare?.();
    } catch (err) {
      this.opts.logger.error({ err, component: this.opts.name }, `preparing ${this.opts.name} for its restart failed; starting it anyway`);
    }
  }

  /** SIGTERM to the process group; SIGKILL after graceMs. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child?.pid || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
    // Anything the child left in its group goes too.
    signalGroup(child.pid, 'SIGKILL');
  }
}

/** Signals a whole process group; ignores groups that are gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}
