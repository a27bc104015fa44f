// A local mesh for one spec file: `sextant up -d` in a private state dir,
// `sextant apply -f`, and a wait until a config change has reached every
// proxy (Pilot saw it, pushed it, and every connected proxy ACKed).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MeshStatus } from '@sextant/local-mesh';
import { tempDir } from '@sextant/testing';
import { waitFor } from '@sextant/util';
import { REPO, sextant, type CliResult } from '../harness';

/** Istio's own sample YAML (used by path, never copied). */
export const ISTIO_SAMPLES = resolve(REPO, '../shared/istio-samples');
export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

export interface TestMesh {
  home: string;
  env: Record<string, string>;
  status: MeshStatus;
  /** The built CLI without bin/sextant's rebuild check. */
  cli(args: string[], timeoutMs?: number): CliResult;
  statusJson(): MeshStatus;
  /** `sextant apply -f` of files (paths) and/or inline YAML documents; waits until every proxy has the change. */
  apply(...sources: string[]): Promise<void>;
  /** `sextant delete -f`, then waits like apply. */
  remove(...sources: string[]): Promise<void>;
  instance(name: string): MeshStatus['workloads'][number];
  /** The ingress gateway's HTTP base URL. */
  gateway: string;
  pilotAdmin: string;
  down(): void;
}

interface SyncEntry {
  proxy: string;
  pushPending: boolean;
  waitingForEndpoints?: string[];
  types: Record<string, { state: string }>;
}

const json = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

export async function startMesh(prefix: string, workloadsFile?: string, opts: { sidecars?: boolean } = {}): Promise<TestMesh> {
  const home = tempDir(prefix);
  const env: Record<string, string> = { SEXTANT_HOME: home.path };
  const cli = (args: string[], timeoutMs = 60_000): CliResult => {
    const r = spawnSync(process.execPath, [resolve(REPO, 'dist/apps/ctl/main.js'), ...args], { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const args = ['up', '-d', ...(workloadsFile ? ['-w', workloadsFile] : []), ...(opts.sidecars === false ? ['--no-sidecars'] : [])];
  const up = sextant(args, env, 240_000);
  if (up.code !== 0) {
    sextant(['down'], env);
    throw new Error(`sextant up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  }
  const statusJson = (): MeshStatus => JSON.parse(cli(['status', '-o', 'json']).stdout) as MeshStatus;
  const status = statusJson();
  const pilotAdmin = `http://127.0.0.1:${status.components.find((c) => c.name === 'pilot')!.ports['admin']}`;

  /** Waits until a change made at `since` was seen, pushed and ACKed by every connected proxy. */
  const settled = async (since: number): Promise<void> => {
    await waitFor(
      async () => {
        const seen = Date.parse((await json<{ status: { lastUpdateAt?: string } }>(`${pilotAdmin}/debug/configz`)).status.lastUpdateAt ?? '');
        if (!(seen >= since)) return false;
        const push = await json<{ pushes: { at: string }[]; pending?: unknown }>(`${pilotAdmin}/debug/push_status`);
        if (push.pending || !push.pushes.length || Date.parse(push.pushes[0]!.at) < seen) return false;
        const sync = await json<SyncEntry[]>(`${pilotAdmin}/debug/syncz`);
        return sync.every((s) => !s.pushPending && !s.waitingForEndpoints && Object.values(s.types).every((t) => t.state !== 'pending'));
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the config change to reach every proxy' },
    );
    // ACKed means applied; give the proxies a moment to swap listeners in.
    await new Promise((r) => setTimeout(r, 150));
  };

  let seq = 0;
  const files = (sources: string[]): string[] =>
    sources.map((s) => {
      if (!s.includes('\n')) return s;
      const f = join(home.path, `config-${++seq}.yaml`);
      writeFileSync(f, s);
      return f;
    });
  const change = async (verb: 'apply' | 'delete', sources: string[]): Promise<void> => {
    const at = Date.now();
    const r = cli([verb, ...files(sources).flatMap((f) => ['-f', f])]);
    if (r.code !== 0) throw new Error(`sextant ${verb} failed (${r.code}): ${r.stderr}\n${r.stdout}`);
    if (/\b(created|configured|deleted)\b/.test(r.stdout)) await settled(at);
  };

  return {
    home: home.path,
    env,
    status,
    cli,
    statusJson,
    apply: (...s) => change('apply', s),
    remove: (...s) => change('delete', s),
    instance(name) {
      const w = status.workloads.find((x) => x.instance === name);
      if (!w) throw new Error(`no instance ${name}; have ${status.workloads.map((x) => x.instance).join(', ')}`);
      return w;
    },
    gateway: status.gateways[0]?.http ?? '',
    pilotAdmin,
    down() {
      sextant(['down'], env);
      home.remove();
    },
  };
}

/** Counts of each key, e.g. {v1: 40, v2: 10}. */
export function tally<T>(items: T[], key: (x: T) => string | undefined): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of items) {
    const k = key(x) ?? 'none';
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
}

/**
 * Whether `hits` out of `n` is consistent with a share `p`: within 4 standard
 * deviations of a binomial (false alarm < 1e-4), and never tighter than ±3 %.
 */
export function shareWithin(hits: number, n: number, p: number): { ok: boolean; share: number; tolerance: number } {
  const tolerance = Math.max(0.03, 4 * Math.sqrt((p * (1 - p)) / n));
  const share = hits / n;
  return { ok: Math.abs(share - p) <= tolerance, share, tolerance };
}
