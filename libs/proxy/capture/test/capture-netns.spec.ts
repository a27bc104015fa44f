// Transparent capture for real: two network namespaces joined by a veth
// pair (our own test hosts), capture rules installed by applyCaptureRules,
// and processes that read SO_ORIGINAL_DST through the native addon.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../../..');
const FIX = resolve(import.meta.dirname, 'fixtures');
const id = `${process.pid % 10000}`;
const A = `sxcapA${id}`;
const B = `sxcapB${id}`;
const subnet = `10.250.${process.pid % 200}`;
const IP_A = `${subnet}.1`;
const IP_B = `${subnet}.2`;
const PROXY_UID = 1337;
const canRun = process.getuid?.() === 0 && spawnSync('iptables', ['--version']).status === 0;
const procs: ChildProcess[] = [];

function sh(args: string[]): string {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
const inNs = (ns: string, args: string[], uid?: number) =>
  ['ip', 'netns', 'exec', ns, ...(uid !== undefined ? ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'] : []), ...args];

function connect(ns: string, host: string, port: number, uid?: number): Record<string, unknown> | string {
  const out = sh(inNs(ns, [process.execPath, `${FIX}/connect.cjs`, host, String(port)], uid)).trim();
  try {
    return JSON.parse(out) as Record<string, unknown>;
  } catch {
    return out;
  }
}

async function startProbe(ns: string, ports: number[]): Promise<void> {
  const [cmd, ...args] = inNs(ns, [process.execPath, `${FIX}/probe.cjs`, ...ports.map(String)], PROXY_UID);
  const p = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  await new Promise<void>((ok, fail) => {
    let err = '';
    p.stderr?.on('data', (d) => (err += d));
    p.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
    p.once('exit', (code) => fail(new Error(`probe exited ${code}: ${err}`)));
  });
}

function applyRulesIn(ns: string): string {
  // Apply through the library's own code path, inside the namespace.
  return sh(inNs(ns, [process.execPath, '--import', 'tsx', '-e', `import { applyCaptureRules, currentNatRules } from '${resolve(import.meta.dirname, '../src/index.ts')}'; applyCaptureRules({ proxyUid: ${PROXY_UID}, proxyGid: ${PROXY_UID} }); console.log(currentNatRules());`]));
}

describe.skipIf(!canRun)('transparent capture in network namespaces', () => {
  beforeAll(async () => {
    for (const ns of [A, B]) {
      spawnSync('ip', ['netns', 'del', ns]);
      sh(['ip', 'netns', 'add', ns]);
      sh(inNs(ns, ['ip', 'link', 'set', 'lo', 'up']));
    }
    sh(['ip', 'link', 'add', `va${id}`, 'type', 'veth', 'peer', 'name', `vb${id}`]);
    sh(['ip', 'link', 'set', `va${id}`, 'netns', A]);
    sh(['ip', 'link', 'set', `vb${id}`, 'netns', B]);
    sh(inNs(A, ['ip', 'addr', 'add', `${IP_A}/30`, 'dev', `va${id}`]));
    sh(inNs(B, ['ip', 'addr', 'add', `${IP_B}/30`, 'dev', `vb${id}`]));
    sh(inNs(A, ['ip', 'link', 'set', `va${id}`, 'up']));
    sh(inNs(B, ['ip', 'link', 'set', `vb${id}`, 'up']));
    for (const ns of [A, B]) expect(applyRulesIn(ns)).toContain('ISTIO_OUTPUT');
    await startProbe(A, [15001, 15006]);
    await startProbe(B, [15001, 15006, 8080]);
  }, 60_000);

  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of [A, B]) spawnSync('ip', ['netns', 'del', ns]);
  });

  it('sends an app’s outbound connection to the proxy’s outbound port, with the original destination', () => {
    expect(connect(A, IP_B, 8080)).toEqual({ listener: 15001, dst: { address: IP_B, port: 8080, family: 4 }, uid: PROXY_UID });
  });

  it('sends inbound connections to the proxy’s inbound port, with the original destination', () => {
    // From A's proxy uid (exempt in A), so the connection reaches B and is captured there.
    expect(connect(A, IP_B, 8080, PROXY_UID)).toEqual({ listener: 15006, dst: { address: IP_B, port: 8080, family: 4 }, uid: PROXY_UID });
  });

  it('leaves the proxy’s own traffic and excluded ports alone', () => {
    // B's proxy uid reaching B's app port on loopback directly: not captured.
    expect(connect(B, '127.0.0.1', 8080, PROXY_UID)).toMatchObject({ listener: 8080 });
    // 15021 is excluded inbound: nobody listens there, so the connection is refused rather than captured.
    expect(connect(A, IP_B, 15021, PROXY_UID)).toBe('error ECONNREFUSED');
  });
});

describe.runIf(!canRun)('transparent capture (skipped)', () => {
  it('needs root and iptables: run as root with `apt-get install -y iptables`', () => {
    expect(canRun).toBe(false);
  });
});
