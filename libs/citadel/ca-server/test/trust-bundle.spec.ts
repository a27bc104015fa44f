// The published bundle follows the CA without anyone asking: a rotated root
// leaves it when the overlap ends, and a NATS that lost its data gets the
// bundle again on reconnect.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, openBucket } from '@sextant/nats';
import { spawnNatsServer } from '@sextant/testing';
import { waitFor } from '@sextant/util';
import { readTrustBundle } from '../src/index';
import { startCitadel, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startCitadel({ rootOverlapMs: 1_500 });
}, 30_000);
afterAll(async () => h?.stop());

describe('root retirement', () => {
  it('warns that the overlap is shorter than the certificate lifetime', () => {
    expect(h.logs.some((l) => String(l['msg']).startsWith('root overlap is shorter than the longest certificate lifetime'))).toBe(true);
  });

  it('drops the old root from the published bundle when the overlap ends', async () => {
    const kv = await openBucket(h.link.nc, BUCKETS.trust);
    const rotated = await h.citadel.rotateRoot();
    const during = await readTrustBundle(kv);
    expect(during?.document.roots).toHaveLength(2);
    expect(during?.document.version).toBe(rotated.bundleVersion);
    const after = await waitFor(
      async () => {
        const b = await readTrustBundle(kv);
        return b && b.document.roots.length === 1 ? b : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the old root to retire' },
    );
    expect(after.document.version).toBe(rotated.bundleVersion + 1);
    expect(after.document.anchors[0].fingerprint).toBe(rotated.current);
    expect(h.ready.get('trust-bundle')?.ready).toBe(true);
    const metrics = await (await fetch(`${h.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`citadel_trust_bundle_version\\{component="citadel"\\} ${after.document.version}`));
    expect(metrics).toMatch(/citadel_root_rotations_total\{component="citadel"\} 1/);
  });
});

describe('publishing after NATS loses its data', () => {
  it('puts the bundle again once NATS is back, and readiness follows', async () => {
    const version = h.citadel.bundleDocument().version;
    await h.nats.stop();
    await waitFor(() => h.ready.get('trust-bundle')?.ready === false, { timeoutMs: 10_000, what: 'not ready without NATS' });
    // A new server on the same port with an empty store (inside the harness dir, removed with it).
    h.nats = await spawnNatsServer({ dataDir: join(h.dataDir, '..', 'nats-fresh'), port: h.nats.port });
    await waitFor(() => h.ready.get('trust-bundle')?.ready === true, { timeoutMs: 20_000, what: 'bundle published again' });
    const again = await readTrustBundle(await openBucket(h.link.nc, BUCKETS.trust));
    expect(again).toMatchObject({ revision: 1, document: { version } });
  });
});
