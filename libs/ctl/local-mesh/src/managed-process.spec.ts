// ManagedProcess runs `prepare` before every restart (a crash restart and an
// intended one), so a restarted proxy starts with a fresh bootstrap token.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@sextant/testing';
import { waitFor } from '@sextant/util';
import { ManagedProcess } from './managed-process';

const dir = tempDir('managed-process-');
afterAll(() => dir.remove());

describe('ManagedProcess prepare', () => {
  it('prepares every restart; the child sees what was prepared', async () => {
    const token = join(dir.path, 'token');
    const seen = join(dir.path, 'seen');
    let n = 0;
    writeFileSync(token, 'token-0');
    writeFileSync(seen, '');
    // The child records the token it was started with, then exits 1 (a crash) the first two times.
    const script = `const fs=require('fs');fs.appendFileSync(${JSON.stringify(seen)}, fs.readFileSync(${JSON.stringify(token)},'utf8')+'\\n');const lines=fs.readFileSync(${JSON.stringify(seen)},'utf8').trim().split('\\n').length;if(lines<3)process.exit(1);setInterval(()=>{},1000);`;
    const proc = new ManagedProcess({
      name: 'child',
      command: process.execPath,
      args: ['-e', script],
      env: {},
      cwd: dir.path,
      log: join(dir.path, 'child.log'),
      logger: pino({ level: 'silent' }),
      restart: true,
      prepare: async () => {
        n++;
        writeFileSync(token, `token-${n}`);
      },
    });
    proc.start();
    await waitFor(() => readFileSync(seen, 'utf8').trim().split('\n').length >= 3 && proc.running, { timeoutMs: 15_000, what: 'two crash restarts' });
    await proc.restart(2_000);
    await waitFor(() => readFileSync(seen, 'utf8').trim().split('\n').length >= 4, { timeoutMs: 5_000, what: 'the intended restart' });
    await proc.stop(2_000);
    expect(readFileSync(seen, 'utf8').trim().split('\n')).toEqual(['token-0', 'token-1', 'token-2', 'token-3']);
  }, 30_000);
});
