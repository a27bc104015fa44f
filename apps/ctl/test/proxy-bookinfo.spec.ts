// Istio's Bookinfo tasks against the demo (`sextant up -d`), with Istio's own
// YAML from ../shared/istio-samples/bookinfo/networking used by path, and
// checked the way the tasks tell a user to check them: load /productpage
// through the ingress gateway (signed in as jason or not) and look at the
// page. Request routing, traffic shifting, fault injection (delay, abort) and
// request timeouts. One mesh for the file, tests in this order.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISTIO_SAMPLES, shareWithin, startMesh, tally, type TestMesh } from './support/mesh';

let mesh: TestMesh;
const NET = join(ISTIO_SAMPLES, 'bookinfo/networking');
const yaml = (name: string) => join(NET, name);

interface Page {
  status: number;
  html: string;
  ms: number;
  /** v1 (no stars), v2 (black), v3 (red), or 'unavailable'. */
  reviews: string;
}

async function page(user?: string): Promise<Page> {
  const t0 = performance.now();
  const res = await fetch(`${mesh.gateway}/productpage`, { headers: user ? { cookie: `user=${user}` } : {}, signal: AbortSignal.timeout(30_000) });
  const html = await res.text();
  const reviews = /data-reviews-status="unavailable"/.test(html) ? 'unavailable' : (/data-reviews-version="(v\d)"/.exec(html)?.[1] ?? 'none');
  return { status: res.status, html, ms: performance.now() - t0, reviews };
}

async function pages(n: number, user?: string): Promise<Page[]> {
  const out: Page[] = [];
  for (let i = 0; i < n; i++) out.push(await page(user));
  return out;
}

/** The reviews version that answered, via the product API (lighter than the page, same path through the mesh). */
async function reviewsVersions(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${mesh.gateway}/api/v1/products/0/reviews`);
    out.push(res.status === 200 ? ((await res.json()) as { version: string }).version : `HTTP ${res.status}`);
  }
  return out;
}

const starColours = (html: string) => [...html.matchAll(/data-color="([^"]+)"/g)].map((m) => m[1]);

beforeAll(async () => {
  mesh = await startMesh('sextant-proxy-bookinfo-');
  await mesh.apply(yaml('destination-rule-all.yaml'));
}, 300_000);

afterAll(() => mesh?.down());

describe('Istio task: request routing', () => {
  it('virtual-service-all-v1.yaml: every page shows reviews v1 (no stars)', async () => {
    await mesh.apply(yaml('virtual-service-all-v1.yaml'));
    const ps = await pages(12);
    expect(tally(ps, (p) => `${p.status} ${p.reviews}`)).toEqual({ '200 v1': 12 });
    for (const p of ps) expect(starColours(p.html)).toEqual([]);
  });

  it('virtual-service-reviews-test-v2.yaml: jason sees v2 (black stars), everyone else v1', async () => {
    await mesh.apply(yaml('virtual-service-reviews-test-v2.yaml'));
    const jason = await pages(10, 'jason');
    expect(tally(jason, (p) => p.reviews)).toEqual({ v2: 10 });
    expect(jason[0]!.html).toContain('data-user="jason"');
    expect(new Set(jason.flatMap((p) => starColours(p.html)))).toEqual(new Set(['black']));
    expect(tally(await pages(10), (p) => p.reviews)).toEqual({ v1: 10 });
    expect(tally(await pages(5, 'someone-else'), (p) => p.reviews)).toEqual({ v1: 5 });
  });
});

describe('Istio task: traffic shifting', () => {
  it('virtual-service-reviews-50-v3.yaml: half v1, half v3 (within 4 standard deviations)', async () => {
    await mesh.apply(yaml('virtual-service-all-v1.yaml'));
    await mesh.apply(yaml('virtual-service-reviews-50-v3.yaml'));
    const vs = await reviewsVersions(300);
    const t = tally(vs, (v) => v);
    expect(Object.keys(t).sort(), JSON.stringify(t)).toEqual(['v1', 'v3']);
    const v3 = shareWithin(t['v3']!, vs.length, 0.5);
    expect(v3.ok, `v3 share ${v3.share.toFixed(3)} (want 0.5 ± ${v3.tolerance.toFixed(3)})`).toBe(true);
    // And the page shows it: red stars only with v3.
    for (const p of await pages(6)) expect(new Set(starColours(p.html))).toEqual(p.reviews === 'v3' ? new Set(['red']) : new Set());
  });

  it('virtual-service-reviews-80-20.yaml: 80 % v1, 20 % v2', async () => {
    await mesh.apply(yaml('virtual-service-reviews-80-20.yaml'));
    const vs = await reviewsVersions(300);
    const t = tally(vs, (v) => v);
    expect(Object.keys(t).sort(), JSON.stringify(t)).toEqual(['v1', 'v2']);
    const v2 = shareWithin(t['v2']!, vs.length, 0.2);
    expect(v2.ok, `v2 share ${v2.share.toFixed(3)} (want 0.2 ± ${v2.tolerance.toFixed(3)})`).toBe(true);
  });
});

describe('Istio task: fault injection', () => {
  it('virtual-service-ratings-test-delay.yaml: jason waits ~6 s, then sees "reviews unavailable"; others are not delayed', async () => {
    // As the task does: one `apply` after the other (one batch may not name a resource twice).
    for (const f of ['virtual-service-all-v1.yaml', 'virtual-service-reviews-test-v2.yaml', 'virtual-service-ratings-test-delay.yaml']) await mesh.apply(yaml(f));
    // productpage gives reviews 3 s and one retry; the 7 s delay on ratings outlasts both (Istio's documented bug).
    const jason = await page('jason');
    expect(jason.status).toBe(200);
    expect(jason.reviews).toBe('unavailable');
    expect(jason.html).toContain('Sorry, product reviews are currently unavailable for this book.');
    expect(jason.ms).toBeGreaterThan(5_900);
    expect(jason.ms).toBeLessThan(9_000);
    const other = await page();
    expect(other.reviews).toBe('v1');
    expect(other.ms).toBeLessThan(2_000);
  });

  it('virtual-service-ratings-test-abort.yaml: jason sees "Ratings service is currently unavailable" at once', async () => {
    await mesh.apply(yaml('virtual-service-ratings-test-abort.yaml'));
    const jason = await pages(3, 'jason');
    for (const p of jason) {
      expect(p.reviews).toBe('v2');
      expect(p.html).toContain('Ratings service is currently unavailable');
      expect(starColours(p.html)).toEqual([]);
      expect(p.ms).toBeLessThan(2_000);
    }
    const other = await page();
    expect(other.reviews).toBe('v1');
    expect(other.html).not.toContain('Ratings service is currently unavailable');
  });
});

describe('Istio task: request timeouts', () => {
  const reviewsV2 = (timeout = '') => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
  - route: [{ destination: { host: reviews, subset: v2 } }]
    ${timeout ? `timeout: ${timeout}` : ''}
`;
  const ratingsDelay = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ratings }
spec:
  hosts: [ratings]
  http:
  - fault: { delay: { percentage: { value: 100 }, fixedDelay: 2s } }
    route: [{ destination: { host: ratings, subset: v1 } }]
`;

  it('ratings delayed 2 s: the page takes ~2 s; with a 0.5 s timeout on reviews it answers in ~1 s with reviews unavailable', async () => {
    await mesh.apply(reviewsV2(), ratingsDelay);
    const slow = await page();
    expect(slow.reviews).toBe('v2');
    expect(starColours(slow.html)).toContain('black');
    expect(slow.ms).toBeGreaterThan(1_900);
    expect(slow.ms).toBeLessThan(4_000);

    await mesh.apply(reviewsV2('0.5s'));
    const fast = await page();
    expect(fast.status).toBe(200);
    expect(fast.reviews).toBe('unavailable');
    // Two attempts (productpage retries once) of 0.5 s each.
    expect(fast.ms).toBeGreaterThan(900);
    expect(fast.ms).toBeLessThan(1_900);
  });
});
