#!/usr/bin/env node
// The anchor of the benchmark: a naive Node reverse proxy on node:http
// (http.createServer + http.request with a keep-alive agent, streams piped).
// Usage: node proxy-naive.mjs LISTEN_PORT UPSTREAM_PORT
import http from 'node:http';

const [listen, upstream] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
http
  .createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(up);
  })
  .listen(listen, '127.0.0.1');
