// The README's start command brings up the demo: Bookinfo with every
// instance registered, served through the ingress gateway and the sidecars,
// reviews answering from v1, v2 and v3.
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@sextant/testing';
import type { MeshStatus } from '@sextant/local-mesh';
import { sextant } from './harness';

const home = tempDir('sextant-demo-');
const env = { SEXTANT_HOME: home.path };
afterAll(() => {
  sextant(['down'], env);
  home.remove();
});

describe('sextant up (default demo)', () => {
  it('starts Bookinfo and prints where to look', async () => {
    const up = sextant(['up', '-d'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/productpage-v1-0 +ok .*http:\/\/127\.[0-9.]+:9080\/productpage/);
    const status = JSON.parse(sextant(['status', '-o', 'json'], env).stdout) as MeshStatus;
    expect(status.workloads.map((w) => w.name)).toEqual(['productpage-v1', 'details-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'ratings-v1']);
    expect(status.components.every((c) => c.healthy)).toBe(true);
    // Through the ingress gateway, as a user reaches it; every hop goes through sidecars.
    expect(status.gateways[0]!.http).toMatch(/^http:\/\/127\./);
    expect(up.stdout).toContain(`ingress-gateway: ${status.gateways[0]!.http}`);
    const versions = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const html = await (await fetch(`${status.gateways[0]!.http}/productpage`)).text();
      expect(html).toContain('The Comedy of Errors');
      versions.add(/data-reviews-version="(v\d)"/.exec(html)?.[1] ?? 'none');
    }
    expect([...versions].sort()).toEqual(['v1', 'v2', 'v3']);
    expect(sextant(['down'], env).code).toBe(0);
  });
});
