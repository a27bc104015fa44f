// Runs the real entry point as a child process, configured the way the local
// runner does it (SEXTANT_* env), and drives it from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf } from './spec-helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  ports: { protocol: string; port: number }[];
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Promise<Running> {
  const child = spawn(tsx, ['--tsconfig', `${root}tsconfig.base.json`, main, ...args], {
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
        if (line.msg === 'echo serving') resolve({ child, lines, ports: line.ports as Running['ports'], exited });
      }
    });
    child.on('exit', (code) => reject(new Error(`echo exited early with ${code}: ${stderr}`)));
  });
}

let current: Running | undefined;
afterEach(() => {
  if (current && current.child.exitCode === null) current.child.kill('SIGKILL');
  current = undefined;
});

describe('echo main', () => {
  it('binds the workload address and ports from the env, logs JSON, drains on SIGTERM and exits 0', async () => {
    current = await run([], {
      SEXTANT_SERVICE: 'echo',
      SEXTANT_INSTANCE: 'echo-v3-7',
      SEXTANT_VERSION: 'v3',
      SEXTANT_ADDRESS: '127.0.1.5',
      SEXTANT_PORTS: JSON.stringify([
        { name: 'http', port: 0, protocol: 'HTTP' },
        { name: 'grpc', port: 0, protocol: 'GRPC' },
      ]),
      LOG_LEVEL: 'debug',
    });
    const http = current.ports.find((p) => p.protocol === 'HTTP')!;
    expect(current.ports.map((p) => p.protocol)).toEqual(['HTTP', 'GRPC']);
    expect(current.lines[0]).toMatchObject({ level: 30, instance: 'echo-v3-7', address: '127.0.1.5' });
    const url = `http://127.0.1.5:${http.port}/hi`;
    expect((await bodyOf(await fetch(url))).instance).toBe('echo-v3-7');
    const slow = fetch(url, { headers: { 'x-echo-delay-ms': '400' } });
    await new Promise((r) => setTimeout(r, 100));
    current.child.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await current.exited).toBe(0);
    expect(current.lines.some((l) => l.msg === 'request' && l.path === '/hi' && l.level === 20)).toBe(true);
    expect(current.lines.some((l) => l.msg === 'draining' && l.signal === 'SIGTERM')).toBe(true);
  });

  it('takes flags over the env', async () => {
    current = await run(['--service', 'handmade', '--version', 'v9', '--http', '0', '--tcp', '0'], {
      SEXTANT_PORTS: JSON.stringify([{ name: 'grpc', port: 0, protocol: 'GRPC' }]),
    });
    expect(current.ports.map((p) => p.protocol)).toEqual(['HTTP', 'TCP']);
    const http = current.ports.find((p) => p.protocol === 'HTTP')!;
    const json = await bodyOf(await fetch(`http://127.0.0.1:${http.port}/`));
    expect(json).toMatchObject({ service: 'handmade', version: 'v9', instance: 'handmade-0' });
    current.child.kill('SIGINT');
    expect(await current.exited).toBe(0);
  });
});
