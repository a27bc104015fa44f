// JWKS for jwt_authn providers: inline keys parsed once, remote keys fetched
// with GET through the provider's cluster (a host picked by the cluster's
// load balancer; TLS with the URI's host as SNI and Node's default roots for
// https), within the configured timeout, and cached for cache_duration.
// Concurrent requests share one fetch; a failed fetch is not cached.
import http from 'node:http';
import https from 'node:https';
import type { JwksSource } from '@sextant/xds-client';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import type { ProxyServices } from './http-context';
import { loadJose } from './jose-lazy';

interface Entry {
  keys: JWTVerifyGetKey;
  expires: number;
}

export class JwksCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<JWTVerifyGetKey>>();
  /** Remote fetches made (for tests and stats). */
  fetches = 0;

  constructor(private readonly services: Pick<ProxyServices, 'active'>) {}

  /** Keys for a provider's JWKS source; rejects when they cannot be had. */
  get(src: JwksSource): Promise<JWTVerifyGetKey> {
    const key = src.kind === 'local' ? `local:${src.json}` : `remote:${src.cluster}:${src.uri}`;
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > Date.now()) return Promise.resolve(hit.keys);
    if (src.kind === 'local') {
      return loadJose().then(({ createLocalJWKSet }) => {
        const keys = createLocalJWKSet(JSON.parse(src.json) as JSONWebKeySet);
        this.entries.set(key, { keys, expires: Number.POSITIVE_INFINITY });
        return keys;
      });
    }
    let p = this.inflight.get(key);
    if (p === undefined) {
      p = Promise.all([this.fetch(src), loadJose()])
        .then(([jwks, { createLocalJWKSet }]) => {
          const keys = createLocalJWKSet(jwks);
          this.entries.set(key, { keys, expires: Date.now() + src.cacheMs });
          return keys;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private fetch(src: Extract<JwksSource, { kind: 'remote' }>): Promise<JSONWebKeySet> {
    this.fetches++;
    const cluster = this.services.active().clusters.get(src.cluster);
    if (cluster === undefined) return Promise.reject(new Error(`JWKS cluster ${src.cluster} is not configured`));
    const host = cluster.pick(undefined, undefined);
    if (host === undefined) return Promise.reject(new Error(`JWKS cluster ${src.cluster} has no healthy host`));
    const url = new URL(src.uri);
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const options = { host: host.address, port: host.port, method: 'GET', path: `${url.pathname}${url.search}`, headers: { host: url.host, accept: 'application/json' }, timeout: src.timeoutMs };
      const req = secure ? https.request({ ...options, servername: url.hostname }) : http.request(options);
      const timer = setTimeout(() => req.destroy(new Error(`JWKS fetch from ${src.uri} timed out after ${src.timeoutMs} ms`)), src.timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode !== 200) return reject(new Error(`JWKS fetch from ${src.uri}: HTTP ${res.statusCode}`));
          try {
            const jwks = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JSONWebKeySet;
            if (!Array.isArray(jwks.keys)) throw new Error('no "keys" list');
            resolve(jwks);
          } catch (err) {
            reject(new Error(`JWKS from ${src.uri} is invalid: ${(err as Error).message}`));
          }
        });
        res.on('error', reject);
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end();
    });
  }
}
