// `sextant down`: asks the supervisor to stop everything and waits; if the
// supervisor is gone, stops whatever the state file still names.
import { rmSync } from 'node:fs';
import { sleep } from '@sextant/util';
import { signalGroup } from './managed-process';
import { isAlive, readState, stateFile } from './state';

export async function stopMesh(stateDir: string, timeoutMs = 30_000): Promise<{ stopped: boolean; message: string }> {
  const state = readState(stateDir);
  if (!state) return { stopped: false, message: 'No local mesh is running.' };
  const leftovers = [state.nats.spawned ? state.nats.pid : undefined, ...state.components.map((c) => c.pid), ...state.workloads.flatMap((w) => [w.pid, w.sidecarPid])].filter(
    (p): p is number => typeof p === 'number',
  );
  if (isAlive(state.supervisorPid)) {
    process.kill(state.supervisorPid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(state.supervisorPid) && Date.now() < deadline) await sleep(100);
    if (isAlive(state.supervisorPid)) process.kill(state.supervisorPid, 'SIGKILL');
  }
  // Whatever is left (a supervisor that crashed or was killed) is stopped here.
  const alive = leftovers.filter(isAlive);
  for (const pid of alive) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive.some(isAlive) && Date.now() < deadline) await sleep(100);
  for (const pid of alive.filter(isAlive)) signalGroup(pid, 'SIGKILL');
  rmSync(stateFile(stateDir), { force: true });
  return { stopped: true, message: `Local mesh stopped (${leftovers.length} processes).` };
}
