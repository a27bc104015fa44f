// `sextant validate` offline, and the config commands when no Galley runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@sextant/util';
import { tempDir } from '@sextant/testing';
import { REPO, sextant } from './harness';

const home = tempDir('sextant-validate-');
const env = { SEXTANT_HOME: home.path };
afterAll(() => home.remove());

const SAMPLES = '/work/shared/istio-samples';
const BAD = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: { host: reviews, subset: v1 }
      weight: -5
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      simple: FASTEST
`;

describe('sextant validate', () => {
  it("accepts Istio's samples, by path, exit 0", () => {
    const r = sextant(['validate', '-f', SAMPLES], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/46 resources in 25 files: valid/);
  });

  it('exits 1 with one line per error, naming file, document, resource and field path', () => {
    const bad = join(home.path, 'bad.yaml');
    writeFileSync(bad, BAD);
    const r = sextant(['validate', '-f', bad, '-q'], env);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${bad}#0 VirtualService/bookinfo/reviews: spec.http[0].route[0].weight: must be >= 0 (got -5)`);
    expect(lines[1]).toMatch(new RegExp(`^${bad.replaceAll('.', '\\.')}#1 DestinationRule/default/reviews: spec\\.trafficPolicy\\.loadBalancer\\.simple: `));
    expect(lines.length).toBe(2);
  });

  it('reads stdin and reports JSON', () => {
    const r = spawnSync(join(REPO, 'bin/sextant'), ['validate', '-f', '-', '-o', 'json'], { cwd: REPO, env: { ...process.env, ...env }, input: BAD, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; errors: { file: string; index: number; path: string; code: string }[] };
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => [e.file, e.index, e.path])).toEqual([
      ['-', 0, 'spec.http[0].route[0].weight'],
      ['-', 1, 'spec.trafficPolicy.loadBalancer.simple'],
    ]);
  });

  it('is a usage error (exit 2) without -f or with a path that does not exist', () => {
    expect(sextant(['validate'], env).code).toBe(2);
    const r = sextant(['validate', '-f', join(home.path, 'nope.yaml')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file or directory');
  });
});

describe('config commands without a running Galley', () => {
  it('say where they looked and how to start one', async () => {
    const port = await freePort();
    const good = join(home.path, 'good.yaml');
    writeFileSync(good, BAD.split('---')[0]!.replace('weight: -5', 'weight: 100'));
    const r = sextant(['apply', '-f', good, '--galley', `127.0.0.1:${port}`], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`no Galley reachable at 127.0.0.1:${port}; start the mesh with \`sextant up\` or pass --galley`);
    const viaEnv = sextant(['get', 'vs'], { ...env, SEXTANT_GALLEY_ADDRESS: `127.0.0.1:${port}` });
    expect(viaEnv.stderr).toContain(`no Galley reachable at 127.0.0.1:${port}`);
  });

  it('refuse an invalid manifest before contacting anyone', () => {
    const bad = join(home.path, 'bad.yaml');
    writeFileSync(bad, BAD);
    const r = sextant(['apply', '-f', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}#0 VirtualService/bookinfo/reviews: spec.http[0].route[0].weight: must be >= 0 (got -5)`);
    expect(r.stderr).toContain('error: 2 validation errors; nothing was applied');
  });
});
