// The whole application in-process: four roles on loopback ports that find
// each other through a SEXTANT_SERVICES map, checked through the product page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAILS_UNAVAILABLE, REVIEWS_UNAVAILABLE } from './page';
import { RATINGS_UNAVAILABLE } from './reviews';
import type { RunningRole } from './server';
import { closedPort, forwardTo, getText, meshEnv, slowly, startBookinfo, startSpy, type Spy } from './spec-helpers';

const started: { close(): Promise<void> }[] = [];
async function track<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const x = await p;
  started.push(x);
  return x;
}

let details: RunningRole;
let ratings: RunningRole;
const reviews: Record<string, RunningRole> = {};
const page: Record<string, string> = {};
let dead: number;

async function productpage(env: Record<string, string>): Promise<string> {
  const pp = await track(startBookinfo('productpage', 'v1', env));
  return `http://127.0.0.1:${pp.port}`;
}

beforeAll(async () => {
  dead = await closedPort();
  details = await track(startBookinfo('details'));
  ratings = await track(startBookinfo('ratings'));
  for (const v of ['v1', 'v2', 'v3']) reviews[v] = await track(startBookinfo('reviews', v, meshEnv({ ratings })));
  reviews.noRatings = await track(startBookinfo('reviews', 'v2', meshEnv({ ratings: { port: dead } })));
  for (const v of ['v1', 'v2', 'v3']) page[v] = await productpage(meshEnv({ details, reviews: reviews[v] }));
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

const stars = (html: string) => [...html.matchAll(/class="stars" data-stars="(\d)" data-color="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);

describe('productpage', () => {
  it('shows the book, its details and reviews (v1: no stars)', async () => {
    const { status, text } = await getText(`${page.v1}/productpage`);
    expect(status).toBe(200);
    expect(text).toContain('<h1>The Comedy of Errors</h1>');
    expect(text).toContain('data-details-status="ok"');
    expect(text).toContain('<dd>PublisherA</dd>');
    expect(text).toContain('<dd>123-1234567890</dd>');
    expect(text).toContain('data-reviews-version="v1"');
    expect(text).toContain('data-reviewer="Reviewer1"');
    expect(text).toContain('data-reviewer="Reviewer2"');
    expect(text).toContain('Reviews served by: reviews-v1-0');
    expect(stars(text)).toEqual([]);
    expect(text).not.toContain('Sorry');
  });

  it.each([
    ['v2', 'black'],
    ['v3', 'red'],
  ])('reviews %s shows %s stars from ratings', async (v, color) => {
    const { text } = await getText(`${page[v]}/productpage`);
    expect(text).toContain(`data-reviews-version="${v}"`);
    expect(stars(text)).toEqual([`5:${color}`, `4:${color}`]);
    expect(text).toContain(`style="color: ${color}"`);
    expect(text).toContain('★★★★☆');
  });

  it('says ratings are unavailable when reviews cannot reach ratings', async () => {
    const url = await productpage(meshEnv({ details, reviews: reviews.noRatings }));
    const { status, text } = await getText(`${url}/productpage`);
    expect(status).toBe(200);
    expect(text).toContain('data-reviews-version="v2"');
    expect(text.split(RATINGS_UNAVAILABLE).length - 1).toBe(2);
    expect(stars(text)).toEqual([]);
  });

  it('says reviews are unavailable when reviews is down, and still shows details', async () => {
    const url = await productpage(meshEnv({ details, reviews: { port: dead } }));
    const { status, text } = await getText(`${url}/productpage`);
    expect(status).toBe(200);
    expect(text).toContain(REVIEWS_UNAVAILABLE);
    expect(text).toContain('data-reviews-status="unavailable"');
    expect(text).toContain('<dd>PublisherA</dd>');
  });

  it('says details are unavailable when details is down, and still shows reviews', async () => {
    const url = await productpage(meshEnv({ details: { port: dead }, reviews: reviews.v3 }));
    const { text } = await getText(`${url}/productpage`);
    expect(text).toContain(DETAILS_UNAVAILABLE);
    expect(text).toContain('data-details-status="unavailable"');
    expect(stars(text)).toEqual(['5:red', '4:red']);
  });

  it('gives up on slow reviews after the timeout and one retry', async () => {
    const slow: Spy = await track(startSpy(slowly(5000, { reviews: [] })));
    const url = await productpage({ ...meshEnv({ details, reviews: slow }), BOOKINFO_REVIEWS_TIMEOUT: '300ms' });
    const t0 = performance.now();
    const { text } = await getText(`${url}/productpage`);
    const elapsed = performance.now() - t0;
    expect(text).toContain(REVIEWS_UNAVAILABLE);
    expect(slow.seen).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(3000);
  });
});

describe('Istio\'s default timeouts', () => {
  it('with reviews slower than 3 s, shows the unavailable text after two 3 s attempts (~6 s)', async () => {
    const slow: Spy = await track(startSpy(slowly(10_000, { reviews: [] })));
    const url = await productpage(meshEnv({ details, reviews: slow }));
    const t0 = performance.now();
    const { text } = await getText(`${url}/productpage`);
    const elapsed = performance.now() - t0;
    expect(text).toContain(REVIEWS_UNAVAILABLE);
    expect(text).toContain('<dd>PublisherA</dd>');
    expect(slow.seen).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(5990);
    expect(elapsed).toBeLessThan(8000);
  });
});

describe('login and header propagation', () => {
  let reviewsSpy: Spy;
  let detailsSpy: Spy;
  let ratingsSpy: Spy;
  let url: string;

  beforeAll(async () => {
    ratingsSpy = await track(startSpy(forwardTo(ratings.port)));
    const r2 = await track(startBookinfo('reviews', 'v2', meshEnv({ ratings: ratingsSpy })));
    reviewsSpy = await track(startSpy(forwardTo(r2.port)));
    detailsSpy = await track(startSpy(forwardTo(details.port)));
    url = await productpage(meshEnv({ details: detailsSpy, reviews: reviewsSpy }));
  });

  it('POST /login sets the user cookie; the page greets the user and sends end-user to reviews and details', async () => {
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=jason&passwd=secret',
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/productpage');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^user=jason;/);

    const { text } = await getText(`${url}/productpage`, { cookie: cookie.split(';')[0], 'x-request-id': 'trace-me' });
    expect(text).toContain('data-user="jason"');
    expect(reviewsSpy.seen.at(-1)!['end-user']).toBe('jason');
    expect(detailsSpy.seen.at(-1)!['end-user']).toBe('jason');
    // reviews passes the same headers on to ratings.
    expect(ratingsSpy.seen.at(-1)!['end-user']).toBe('jason');
    expect(ratingsSpy.seen.at(-1)!['x-request-id']).toBe('trace-me');
    expect(reviewsSpy.seen.at(-1)!['x-request-id']).toBe('trace-me');
  });

  it('forwards an inbound end-user header and tracing headers without a login', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await getText(`${url}/productpage`, { 'end-user': 'naomi', traceparent, 'x-b3-traceid': '80f198ee56343ba8' });
    const seen = reviewsSpy.seen.at(-1)!;
    expect(seen['end-user']).toBe('naomi');
    expect(seen.traceparent).toBe(traceparent);
    expect(seen['x-b3-traceid']).toBe('80f198ee56343ba8');
  });

  it('GET /logout clears the cookie, and then no end-user is sent', async () => {
    const out = await fetch(`${url}/logout`, { redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.get('set-cookie')).toMatch(/^user=;.*Max-Age=0/);
    const { text } = await getText(`${url}/productpage`);
    expect(text).toContain('action="/login"');
    expect(reviewsSpy.seen.at(-1)!['end-user']).toBeUndefined();
  });

  it('escapes a hostile user name', async () => {
    const { text } = await getText(`${url}/productpage`, { cookie: `user=${encodeURIComponent('<script>x</script>')}` });
    expect(text).not.toContain('<script>x</script>');
    expect(text).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});
