// Requests from the CLI to a running supervisor (`sextant restart`): the CLI
// drops a request file into <stateDir>/control and signals the supervisor
// (SIGUSR2); the supervisor runs each request and writes its result next to
// it; the CLI waits for that result.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sleep } from '@sextant/util';
import { isAlive, readState } from './state';

export interface ControlRequest {
  action: 'restart';
  instance: string;
}

export interface ControlResult {
  ok: boolean;
  error?: string;
  ms: number;
}

export const CONTROL_SIGNAL: NodeJS.Signals = 'SIGUSR2';
const controlDir = (stateDir: string) => join(stateDir, 'control');

/** CLI side: asks the running supervisor to do `req` and waits for the result. */
export async function sendControlRequest(stateDir: string, req: ControlRequest, timeoutMs = 90_000): Promise<ControlResult> {
  const state = readState(stateDir);
  if (!state || !isAlive(state.supervisorPid)) throw new Error('No local mesh is running (start one with `sextant up -d`).');
  if (state.phase !== 'running') throw new Error(`The local mesh is ${state.phase}; try again once it runs.`);
  if (req.action === 'restart' && !state.workloads.some((w) => w.instance === req.instance)) {
    throw new Error(`no workload instance named ${JSON.stringify(req.instance)}; instances: ${state.workloads.map((w) => w.instance).join(', ')}`);
  }
  const dir = controlDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const id = `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Written whole, then renamed: the supervisor never reads half a request.
  writeFileSync(join(dir, `${id}.tmp`), JSON.stringify(req));
  renameSync(join(dir, `${id}.tmp`), join(dir, `${id}.request.json`));
  process.kill(state.supervisorPid, CONTROL_SIGNAL);
  const resultFile = join(dir, `${id}.result.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(resultFile)) {
      const result = JSON.parse(readFileSync(resultFile, 'utf8')) as ControlResult;
      rmSync(resultFile, { force: true });
      return result;
    }
    if (!isAlive(state.supervisorPid)) throw new Error(`the supervisor (pid ${state.supervisorPid}) exited before answering`);
    await sleep(100);
  }
  throw new Error(`no answer from the supervisor (pid ${state.supervisorPid}) in ${timeoutMs / 1000} s`);
}

/** Supervisor side: runs every pending request in order, one at a time, writing each result. */
export class ControlServer {
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly stateDir: string,
    private readonly handle: (req: ControlRequest) => Promise<void>,
  ) {}

  /** Call on CONTROL_SIGNAL. */
  poll(): Promise<void> {
    this.busy = this.busy.then(() => this.drain());
    return this.busy;
  }

  private async drain(): Promise<void> {
    const dir = controlDir(this.stateDir);
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.request.json')).sort()) {
      const path = join(dir, f);
      const t0 = Date.now();
      let result: ControlResult;
      try {
        const req = JSON.parse(readFileSync(path, 'utf8')) as ControlRequest;
        rmSync(path, { force: true });
        await this.handle(req);
        result = { ok: true, ms: Date.now() - t0 };
      } catch (err) {
        rmSync(path, { force: true });
        result = { ok: false, error: (err as Error).message, ms: Date.now() - t0 };
      }
      const out = path.replace(/\.request\.json$/, '.result.json');
      writeFileSync(`${out}.tmp`, JSON.stringify(result));
      renameSync(`${out}.tmp`, out);
    }
  }
}
