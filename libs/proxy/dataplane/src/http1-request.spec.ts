import { describe, expect, it } from 'vitest';
import type { HttpExchange } from './http-exchange';
import { IdleTimer, readRequestHead, responseHead, type ResponseFraming } from './http1-request';

const exchange = () => ({}) as HttpExchange;

describe('readRequestHead', () => {
  it('takes the authority from Host for origin-form targets and removes Host', () => {
    const ex = exchange();
    const headers = ['host', 'echo:8080', 'content-length', '5'];
    expect(readRequestHead(ex, 'POST', '/a?b=1', headers)).toBe(false);
    expect([ex.path, ex.authority, ex.hasBody, ex.contentLength]).toEqual(['/a?b=1', 'echo:8080', true, 5]);
    expect(headers).toEqual(['content-length', '5']);
  });

  it('reads absolute-form targets from an explicit proxy client, the target winning over Host', () => {
    const ex = exchange();
    readRequestHead(ex, 'GET', 'HTTP://reviews:9080?x=1', ['host', 'other']);
    expect([ex.scheme, ex.authority, ex.path, ex.hasBody, ex.contentLength]).toEqual(['http', 'reviews:9080', '/?x=1', false, 0]);
    readRequestHead(ex, 'GET', 'http://reviews:9080', []);
    expect(ex.path).toBe('/');
  });

  it('keeps CONNECT authority-form targets, chunked bodies of unknown length and 100-continue', () => {
    const ex = exchange();
    readRequestHead(ex, 'CONNECT', 'tcp-echo:9000', []);
    expect([ex.path, ex.authority]).toEqual(['tcp-echo:9000', 'tcp-echo:9000']);
    expect(readRequestHead(ex, 'PUT', '/', ['transfer-encoding', 'chunked', 'expect', '100-Continue'])).toBe(true);
    expect([ex.hasBody, ex.contentLength]).toEqual([true, -1]);
  });
});

describe('responseHead', () => {
  const framing = (closeAfter = false): ResponseFraming => ({ chunked: false, closeAfter });

  it('chunks a body of unknown length on HTTP/1.1 and drops hop-by-hop connection headers', () => {
    const f = framing();
    const head = responseHead(200, ['connection', 'keep-alive', 'x-a', '1'], false, false, false, false, f);
    expect(head).toBe('HTTP/1.1 200 OK\r\nx-a: 1\r\ntransfer-encoding: chunked\r\n\r\n');
    expect(f).toEqual({ chunked: true, closeAfter: false });
  });

  it('closes an HTTP/1.0 connection to delimit a body of unknown length, and says keep-alive otherwise', () => {
    const f = framing();
    expect(responseHead(200, [], true, false, false, false, f)).toContain('connection: close\r\n');
    expect(f.closeAfter).toBe(true);
    expect(responseHead(200, ['content-length', '2'], true, false, false, false, framing())).toContain('connection: keep-alive\r\n');
  });

  it('adds content-length 0 to an ended response, nothing to HEAD or 204, and keeps a 101 as sent', () => {
    expect(responseHead(503, [], false, false, false, true, framing(true))).toMatch(/content-length: 0\r\nconnection: close\r\n\r\n$/);
    expect(responseHead(200, [], false, true, false, false, framing())).not.toContain('transfer-encoding');
    expect(responseHead(204, [], false, false, false, false, framing())).not.toContain('content-length');
    expect(responseHead(101, ['connection', 'upgrade', 'upgrade', 'websocket'], false, false, true, false, framing())).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
  });
});

describe('IdleTimer', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('fires once the connection stayed idle for the timeout, never after it closed', async () => {
    let idled = 0;
    const idle = new IdleTimer(40, () => 'idle', () => idled++);
    idle.arm();
    await sleep(120);
    expect(idled).toBe(1);
    let closedFired = 0;
    const closed = new IdleTimer(40, () => 'closed', () => closedFired++);
    closed.arm();
    await sleep(120);
    expect(closedFired).toBe(0);
  });

  it('does nothing while the connection is busy or when cleared', async () => {
    let fired = 0;
    const busy = new IdleTimer(40, () => 'busy', () => fired++);
    busy.arm();
    const cleared = new IdleTimer(40, () => 'idle', () => fired++);
    cleared.arm();
    cleared.clear();
    await sleep(120);
    busy.clear();
    expect(fired).toBe(0);
  });
});
