// The real entry point as a child process, configured like the local runner does.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  port: number;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Promise<Running> {
  const child = spawn(`${root}node_modules/.bin/tsx`, ['--tsconfig', `${root}tsconfig.base.json`, main, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.msg === 'bookinfo serving') resolve({ child, lines, port: line.port as number, exited });
      }
    });
    child.on('exit', (code) => reject(new Error(`bookinfo exited early with ${code}: ${stderr}`)));
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('bookinfo main', () => {
  it('runs the role from SEXTANT_SERVICE on the workload address and port, and exits 0 on SIGTERM', async () => {
    const r = await run([], {
      SEXTANT_SERVICE: 'ratings',
      SEXTANT_ADDRESS: '127.0.1.6',
      SEXTANT_PORTS: JSON.stringify([{ name: 'http', port: 0, protocol: 'HTTP' }]),
    });
    children.push(r.child);
    const res = await fetch(`http://127.0.1.6:${r.port}/ratings/0`);
    expect(await res.json()).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.lines.find((l) => l.msg === 'bookinfo serving')).toMatchObject({ level: 30, service: 'ratings', instance: 'ratings-v1-0', port: r.port });
    expect(r.lines.some((l) => l.msg === 'request' && l.url === '/ratings/0' && l.status === 200)).toBe(true);
  });

  it('takes the role from the first argument and refuses an unknown one', async () => {
    const r = await run(['details', '--port', '0'], { SEXTANT_SERVICE: 'details' });
    children.push(r.child);
    const details = (await (await fetch(`http://127.0.0.1:${r.port}/details/0`)).json()) as { publisher: string };
    expect(details.publisher).toBe('PublisherA');
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    await expect(run(['library'], {})).rejects.toThrow(/exited early with 2.*needs a role/s);
  });
});
