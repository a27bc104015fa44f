// productpage (v1): the web front end. Calls details and reviews (3 s per
// attempt, one retry, like Istio's productpage), renders the page, and mirrors
// the data as a JSON API. A signed-in user (cookie `user`) is sent on as the
// `end-user` header, which routing rules can match on.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@sextant/util';
import { MeshClient, propagatedHeaders } from '@sextant/workloads';
import { parseProductId, PRODUCTS, type BookDetails } from './catalog';
import { DETAILS_UNAVAILABLE, renderIndex, renderProductPage, REVIEWS_UNAVAILABLE } from './page';
import type { RatingsAnswer } from './ratings';
import type { ReviewsAnswer } from './reviews';
import { createApp, getJson, serve, type CallResult, type RunningRole } from './server';
import { serviceUrl, servingPort, type BookinfoConfig } from './settings';

export const RATINGS_UNAVAILABLE_FOR_BOOK = 'Sorry, product ratings are currently unavailable for this book.';
const USER_COOKIE = 'user';
const MAX_USER_LENGTH = 64;

export function userFromCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== USER_COOKIE) continue;
    try {
      const user = decodeURIComponent(part.slice(eq + 1).trim());
      return user ? user.slice(0, MAX_USER_LENGTH) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Headers for calls made on behalf of `req`: tracing headers, plus end-user for a signed-in user. */
export function forwardHeaders(req: FastifyRequest): Record<string, string> {
  const headers = propagatedHeaders(req.headers);
  const user = userFromCookie(req.headers.cookie);
  if (user) headers['end-user'] = user;
  return headers;
}

export function startProductpage(config: BookinfoConfig, log: Logger): Promise<RunningRole> {
  const { settings, identity } = config;
  const mesh = new MeshClient(config.env);
  const detailsBase = serviceUrl(settings, 'details');
  const reviewsBase = serviceUrl(settings, 'reviews');
  const ratingsBase = serviceUrl(settings, 'ratings');

  const getDetails = (id: number, req: FastifyRequest) =>
    getJson<BookDetails>(mesh, `${detailsBase}/details/${id}`, { headers: forwardHeaders(req), timeoutMs: settings.detailsTimeoutMs, attempts: 2, log: req.log });
  const getReviews = (id: number, req: FastifyRequest) =>
    getJson<ReviewsAnswer>(mesh, `${reviewsBase}/reviews/${id}`, { headers: forwardHeaders(req), timeoutMs: settings.reviewsTimeoutMs, attempts: 2, log: req.log });
  const getRatings = (id: number, req: FastifyRequest) =>
    getJson<RatingsAnswer>(mesh, `${ratingsBase}/ratings/${id}`, { headers: forwardHeaders(req), timeoutMs: settings.ratingsTimeoutMs, log: req.log });

  const app = createApp(log);
  app.addHook('onClose', async () => mesh.close());
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderIndex()));
  app.get('/health', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('Product page is healthy'));

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = typeof body.username === 'string' ? body.username.trim().slice(0, MAX_USER_LENGTH) : '';
    if (user) reply.header('set-cookie', `${USER_COOKIE}=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Lax`);
    return reply.redirect('/productpage', 302);
  });
  app.get('/logout', async (_req, reply) =>
    reply.header('set-cookie', `${USER_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`).redirect('/productpage', 302),
  );

  app.get('/productpage', async (req, reply) => {
    const product = PRODUCTS[0];
    const [details, reviews] = await Promise.all([getDetails(product.id, req), getReviews(product.id, req)]);
    const html = renderProductPage({
      product,
      user: userFromCookie(req.headers.cookie),
      details: details.ok ? { ok: true, body: details.body } : { ok: false },
      reviews: reviews.ok
        ? { ok: true, body: reviews.body, version: String(reviews.body.version ?? reviews.headers['x-reviews-version'] ?? 'unknown') }
        : { ok: false },
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  // JSON API, answering with the upstream's error status on failure (500 when none came back).
  const api = <T>(fetcher: (id: number, req: FastifyRequest) => Promise<CallResult<T>>, unavailable: string) =>
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const id = parseProductId(req.params.id);
      if (id === undefined) return reply.code(400).send({ error: 'please provide numeric product id' });
      const res = await fetcher(id, req);
      return res.ok ? reply.send(res.body) : reply.code(res.status >= 400 ? res.status : 502).send({ error: unavailable });
    };
  app.get('/api/v1/products', async () => PRODUCTS);
  app.get('/api/v1/products/:id', api(getDetails, DETAILS_UNAVAILABLE));
  app.get('/api/v1/products/:id/reviews', api(getReviews, REVIEWS_UNAVAILABLE));
  app.get('/api/v1/products/:id/ratings', api(getRatings, RATINGS_UNAVAILABLE_FOR_BOOK));

  return serve(app, 'productpage', identity.address, servingPort(config));
}
