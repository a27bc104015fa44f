import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WarningLog } from './warning-log';

function capture() {
  const lines: { proxy: string; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { proxy: string; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

describe('WarningLog', () => {
  it('logs each message once per proxy, across pushes', async () => {
    const { logger, lines } = capture();
    const log = new WarningLog(logger);
    expect(log.report('a', 'CUSTOM is not supported')).toBe(true);
    expect(log.report('a', 'CUSTOM is not supported')).toBe(false);
    expect(log.report('b', 'CUSTOM is not supported')).toBe(true);
    expect(log.report('a', 'targetRef ignored')).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.proxy, l.msg])).toEqual([
      ['a', 'CUSTOM is not supported'],
      ['b', 'CUSTOM is not supported'],
      ['a', 'targetRef ignored'],
    ]);
  });

  it('forgets the oldest proxies past its bound', () => {
    const log = new WarningLog(capture().logger, 2);
    log.report('a', 'm');
    log.report('b', 'm');
    log.report('c', 'm');
    expect(log.report('b', 'm')).toBe(false);
    expect(log.report('a', 'm')).toBe(true);
  });
});
