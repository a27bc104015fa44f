#!/usr/bin/env node
// The floor for a Node.js proxy on this machine: the same building blocks as
// Sextant's HTTP/1.1 fast path (node's llhttp consuming the sockets, one
// write per direction, keep-alive upstream pool) and nothing else: no
// routing, no header rules, no stats, GET only, 200-with-length only.
// It shows what Node itself costs per request. Not a proxy to use.
// Usage: node proxy-floor.mjs LISTEN_PORT UPSTREAM_PORT
import net from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { HTTPParser, methods } = require('_http_common');
const [listen, upstreamPort] = process.argv.slice(2).map(Number);
const idle = [];

function upstream(cb) {
  let c = idle.pop();
  while (c && c.s.destroyed) c = idle.pop();
  if (c) return cb(c);
  const s = net.connect({ port: upstreamPort, host: '127.0.0.1', noDelay: true });
  const p = new HTTPParser();
  p.initialize(HTTPParser.RESPONSE, {});
  const up = { s, down: null, head: null };
  p[HTTPParser.kOnHeadersComplete] = (_a, _b, headers, _m, _u, status, msg) => {
    let h = `HTTP/1.1 ${status} ${msg}\r\n`;
    for (let i = 0; i < headers.length; i += 2) h += `${headers[i]}: ${headers[i + 1]}\r\n`;
    up.head = `${h}\r\n`;
    return 0;
  };
  p[HTTPParser.kOnBody] = (b) => {
    const head = up.head;
    up.head = null;
    const buf = Buffer.allocUnsafe(head.length + b.length);
    buf.write(head, 0, head.length, 'latin1');
    b.copy(buf, head.length);
    up.down.write(buf);
  };
  p[HTTPParser.kOnMessageComplete] = () => {
    up.down = null;
    idle.push(up);
  };
  p[HTTPParser.kOnExecute] = () => {};
  s.on('connect', () => {
    p.consume(s._handle);
    cb(up);
  });
  // nginx closes idle keep-alive connections after 75 s: drop them from the pool.
  s.on('error', () => {});
  s.on('close', () => {
    const i = idle.indexOf(up);
    if (i >= 0) idle.splice(i, 1);
  });
}

net
  .createServer({ noDelay: true }, (sock) => {
    const p = new HTTPParser();
    p.initialize(HTTPParser.REQUEST, {});
    p[HTTPParser.kOnHeadersComplete] = (_a, _b, headers, method, url) => {
      let h = `${methods[method]} ${url} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) h += `${headers[i]}: ${headers[i + 1]}\r\n`;
      h += '\r\n';
      upstream((up) => {
        up.down = sock;
        up.s.write(h, 'latin1');
      });
      return 0;
    };
    p[HTTPParser.kOnBody] = () => {};
    p[HTTPParser.kOnMessageComplete] = () => {};
    p[HTTPParser.kOnExecute] = () => {};
    p.consume(sock._handle);
    sock.on('error', () => {});
  })
  .listen(listen, '127.0.0.1');
