// The service-account token reader on a real file: read afresh each call,
// state changes logged once each, never the token itself.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@sextant/testing';
import { serviceAccountTokenReader, unverifiedClaims } from './sa-token';

const dir = tempDir('sa-token-unit-');
afterAll(() => dir.remove());

const jwt = (claims: object) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('serviceAccountTokenReader', () => {
  it('re-reads the file on every call and logs only changes of state, without the token', () => {
    const file = join(dir.path, 'istio-token');
    const logs: Record<string, unknown>[] = [];
    const read = serviceAccountTokenReader(file, pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) }));
    expect(read()).toBeUndefined();
    expect(read()).toBeUndefined();
    expect(logs.map((l) => [l['msg'], l['err']])).toEqual([['cannot read the service-account token file (--sa-token-file / PROXY_SA_TOKEN_FILE)', 'no such file']]);
    const a = jwt({ sub: 'system:serviceaccount:shop:alice', aud: 'istio-ca', exp: 2_000_000_000 });
    writeFileSync(file, `${a}\n`);
    expect(read()).toBe(a);
    expect(read()).toBe(a);
    const b = jwt({ sub: 'system:serviceaccount:shop:alice', aud: ['istio-ca'], exp: 2_000_003_600 });
    writeFileSync(file, b);
    expect(read()).toBe(b);
    writeFileSync(file, '  \n');
    expect(read()).toBeUndefined();
    rmSync(file);
    expect(read()).toBeUndefined();
    expect(logs.slice(1).map((l) => l['msg'])).toEqual([
      'service-account token read',
      'service-account token changed (rotated by the kubelet)',
      'cannot read the service-account token file (--sa-token-file / PROXY_SA_TOKEN_FILE)',
      'cannot read the service-account token file (--sa-token-file / PROXY_SA_TOKEN_FILE)',
    ]);
    expect(logs[1]!['claims']).toEqual({ sub: 'system:serviceaccount:shop:alice', aud: ['istio-ca'], exp: new Date(2_000_000_000_000).toISOString() });
    expect(logs.slice(3).map((l) => l['err'])).toEqual(['the file is empty', 'no such file']);
    expect(JSON.stringify(logs)).not.toContain(a);
    expect(JSON.stringify(logs)).not.toContain(b);
  });

  it('reads claims only from something shaped like a JWT', () => {
    expect(unverifiedClaims('opaque-token')).toBeUndefined();
    expect(unverifiedClaims('a.!!!.c')).toBeUndefined();
    expect(unverifiedClaims(jwt({ aud: 'x' }))).toEqual({ aud: ['x'] });
  });
});
