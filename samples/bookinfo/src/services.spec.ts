// Each service's own API, and productpage's JSON mirror of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATINGS_UNAVAILABLE_FOR_BOOK } from './productpage';
import { RATINGS_UNAVAILABLE } from './reviews';
import type { RunningRole } from './server';
import { closedPort, getText, meshEnv, slowly, startBookinfo, startSpy, type Spy } from './spec-helpers';

let details: RunningRole;
let ratings: RunningRole;
let reviewsV1: RunningRole;
let reviewsV3: RunningRole;
let productpage: RunningRole;
let slowRatings: Spy;
let reviewsSlowRatings: RunningRole;
let productpageNoRatings: RunningRole;

const url = (r: { port: number }, path: string) => `http://127.0.0.1:${r.port}${path}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const getJson = async (u: string, init?: RequestInit): Promise<{ status: number; body: any }> => {
  const res = await fetch(u, init);
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  details = await startBookinfo('details');
  ratings = await startBookinfo('ratings');
  reviewsV1 = await startBookinfo('reviews', 'v1', meshEnv({ ratings }));
  reviewsV3 = await startBookinfo('reviews', 'v3', { ...meshEnv({ ratings }), CLUSTER_NAME: 'east' });
  productpage = await startBookinfo('productpage', 'v1', meshEnv({ details, reviews: reviewsV3, ratings }));
  slowRatings = await startSpy(slowly(3000, { id: 0, ratings: { Reviewer1: 1, Reviewer2: 1 } }));
  reviewsSlowRatings = await startBookinfo('reviews', 'v2', { ...meshEnv({ ratings: slowRatings }), BOOKINFO_REVIEWS_RATINGS_TIMEOUT: '200ms' });
  productpageNoRatings = await startBookinfo('productpage', 'v1', meshEnv({ ratings: { port: await closedPort() } }));
});
afterAll(async () => {
  for (const r of [details, ratings, reviewsV1, reviewsV3, productpage, slowRatings, reviewsSlowRatings, productpageNoRatings]) await r?.close();
});

describe('details', () => {
  it('GET /details/0 answers the book details', async () => {
    expect(await getJson(url(details, '/details/0'))).toEqual({
      status: 200,
      body: {
        id: 0,
        author: 'William Shakespeare',
        year: 1595,
        type: 'paperback',
        pages: 200,
        publisher: 'PublisherA',
        language: 'English',
        'ISBN-10': '1234567890',
        'ISBN-13': '123-1234567890',
      },
    });
  });

  it('rejects a non-numeric id and is healthy', async () => {
    expect((await getJson(url(details, '/details/abc'))).status).toBe(400);
    expect(await getJson(url(details, '/health'))).toEqual({ status: 200, body: { status: 'Details is healthy' } });
  });
});

describe('ratings', () => {
  it('GET /ratings/0 answers each reviewer\'s stars', async () => {
    expect(await getJson(url(ratings, '/ratings/0'))).toEqual({ status: 200, body: { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } } });
  });

  it('POST /ratings/<id> changes them, with validation', async () => {
    const post = (body: unknown) =>
      getJson(url(ratings, '/ratings/7'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await post({ Reviewer1: 2 })).toEqual({ status: 200, body: { id: 7, ratings: { Reviewer1: 2, Reviewer2: 4 } } });
    expect((await getJson(url(ratings, '/ratings/7'))).body.ratings.Reviewer1).toBe(2);
    expect((await post({ Reviewer1: 9 })).body.error).toMatch(/1 to 5/);
    expect((await post({ Nobody: 3 })).status).toBe(400);
    expect((await getJson(url(ratings, '/ratings/0'))).body.ratings.Reviewer1).toBe(5);
  });
});

describe('reviews', () => {
  it('v1 answers two reviews without ratings', async () => {
    const { status, body } = await getJson(url(reviewsV1, '/reviews/0'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: '0', podname: 'reviews-v1-0', clustername: 'null', version: 'v1' });
    expect(body.reviews.map((r: { reviewer: string }) => r.reviewer)).toEqual(['Reviewer1', 'Reviewer2']);
    expect(body.reviews.every((r: { rating?: unknown }) => r.rating === undefined)).toBe(true);
  });

  it('v3 answers red star ratings and its cluster name', async () => {
    const res = await fetch(url(reviewsV3, '/reviews/0'));
    expect(res.headers.get('x-reviews-version')).toBe('v3');
    const body = (await res.json()) as { clustername: string; reviews: { rating: unknown }[] };
    expect(body.clustername).toBe('east');
    expect(body.reviews.map((r: { rating: unknown }) => r.rating)).toEqual([
      { stars: 5, color: 'red' },
      { stars: 4, color: 'red' },
    ]);
  });

  it('gives up on slow ratings after its timeout and reports the error per review', async () => {
    const t0 = performance.now();
    const { body } = await getJson(url(reviewsSlowRatings, '/reviews/0'));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(body.reviews.map((r: { rating: unknown }) => r.rating)).toEqual([{ error: RATINGS_UNAVAILABLE }, { error: RATINGS_UNAVAILABLE }]);
    expect(slowRatings.seen).toHaveLength(1);
  });
});

describe('productpage API', () => {
  it('lists products and mirrors details, reviews and ratings', async () => {
    const products = await getJson(url(productpage, '/api/v1/products'));
    expect(products.body).toHaveLength(1);
    expect(products.body[0]).toMatchObject({ id: 0, title: 'The Comedy of Errors' });
    expect((await getJson(url(productpage, '/api/v1/products/0'))).body.publisher).toBe('PublisherA');
    expect((await getJson(url(productpage, '/api/v1/products/0/reviews'))).body.version).toBe('v3');
    expect((await getJson(url(productpage, '/api/v1/products/0/ratings'))).body).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    expect((await getJson(url(productpage, '/api/v1/products/x/reviews'))).status).toBe(400);
  });

  it('answers an error status and Istio\'s sentence when an upstream is down', async () => {
    expect(await getJson(url(productpageNoRatings, '/api/v1/products/0/ratings'))).toEqual({
      status: 500,
      body: { error: RATINGS_UNAVAILABLE_FOR_BOOK },
    });
  });

  it('serves an index and a health check', async () => {
    expect(await getText(url(productpage, '/health'))).toEqual({ status: 200, text: 'Product page is healthy' });
    expect((await getText(url(productpage, '/'))).text).toContain('href="/productpage"');
  });
});
