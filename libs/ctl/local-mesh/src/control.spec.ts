// `sextant restart` plumbing: a request file and a signal to the supervisor,
// which runs requests one at a time and writes each result back.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_SIGNAL, ControlServer, sendControlRequest, type ControlRequest } from './control';
import { writeState, type MeshState } from './state';

let dir: string;
let handled: string[];
let listener: () => void;

function state(phase: MeshState['phase'], supervisorPid = process.pid): MeshState {
  const w = { name: 'web', service: 'web', namespace: 'default', serviceAccount: 'default', version: 'v1', labels: {}, address: '127.0.10.1', ports: [], appAddress: '127.1.10.1', pid: 1, sidecarPid: 2, log: '', sidecar: null };
  return {
    version: 1,
    phase,
    supervisorPid,
    startedAt: new Date().toISOString(),
    stateDir: dir,
    nats: { url: '', spawned: false, pid: undefined },
    components: [],
    workloads: [{ ...w, instance: 'web-0' }, { ...w, instance: 'web-1' }],
    gateways: [],
  } as MeshState;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sextant-control-'));
  handled = [];
  // This process plays the supervisor.
  const server = new ControlServer(dir, async (req: ControlRequest) => {
    if (req.instance === 'web-1') throw new Error('web-1 would not start');
    await new Promise((r) => setTimeout(r, 20));
    handled.push(req.instance);
  });
  listener = () => void server.poll();
  process.on(CONTROL_SIGNAL, listener);
});

afterEach(() => {
  process.off(CONTROL_SIGNAL, listener);
  rmSync(dir, { recursive: true, force: true });
});

describe('control requests to the supervisor', () => {
  it('runs a request in the supervisor and returns its result, leaving no files behind', async () => {
    writeState(dir, state('running'));
    const r = await sendControlRequest(dir, { action: 'restart', instance: 'web-0' }, 5_000);
    expect(r.ok).toBe(true);
    expect(handled).toEqual(['web-0']);
    expect(readdirSync(join(dir, 'control'))).toEqual([]);
  });

  it('reports the handler failure as the result', async () => {
    writeState(dir, state('running'));
    expect(await sendControlRequest(dir, { action: 'restart', instance: 'web-1' }, 5_000)).toMatchObject({ ok: false, error: 'web-1 would not start' });
  });

  it('runs concurrent requests one after the other', async () => {
    writeState(dir, state('running'));
    const rs = await Promise.all([sendControlRequest(dir, { action: 'restart', instance: 'web-0' }, 5_000), sendControlRequest(dir, { action: 'restart', instance: 'web-0' }, 5_000)]);
    expect(rs.map((r) => r.ok)).toEqual([true, true]);
    expect(handled).toEqual(['web-0', 'web-0']);
  });

  it('refuses an unknown instance, a mesh that is not running, and a missing supervisor, saying which', async () => {
    writeState(dir, state('running'));
    await expect(sendControlRequest(dir, { action: 'restart', instance: 'api-0' })).rejects.toThrow('no workload instance named "api-0"; instances: web-0, web-1');
    writeState(dir, state('stopping'));
    await expect(sendControlRequest(dir, { action: 'restart', instance: 'web-0' })).rejects.toThrow('The local mesh is stopping');
    writeState(dir, state('running', 2 ** 22 + 12345));
    await expect(sendControlRequest(dir, { action: 'restart', instance: 'web-0' })).rejects.toThrow('No local mesh is running');
  });
});
