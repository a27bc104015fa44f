// reviews (v1, v2, v3): two reviews of the book. v1 shows no ratings; v2 asks
// ratings and shows black stars, v3 red stars. When ratings cannot be had,
// each review's rating carries Istio's error text instead of stars.
import type { Logger } from '@sextant/util';
import { MeshClient, propagatedHeaders } from '@sextant/workloads';
import { parseProductId, REVIEW_TEXTS, REVIEWERS } from './catalog';
import type { RatingsAnswer } from './ratings';
import { createApp, getJson, serve, type RunningRole } from './server';
import { serviceUrl, servingPort, type BookinfoConfig } from './settings';

export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';

export interface ReviewRating {
  stars?: number;
  color?: string;
  error?: string;
}

export interface Review {
  reviewer: string;
  text: string;
  rating?: ReviewRating;
}

export interface ReviewsAnswer {
  id: string;
  podname: string;
  clustername: string;
  version: string;
  reviews: Review[];
}

/** Whether this reviews version calls ratings, and in which colour it draws stars. */
export function reviewsFlavour(config: BookinfoConfig): { ratings: boolean; color: string } {
  const { version } = config.identity;
  const { enableRatings, starColor } = config.settings;
  const ratings = enableRatings === 'auto' ? version === 'v2' || version === 'v3' || starColor !== '' : enableRatings === 'true';
  return { ratings, color: starColor || (version === 'v3' ? 'red' : 'black') };
}

export function startReviews(config: BookinfoConfig, log: Logger): Promise<RunningRole> {
  const { identity, settings } = config;
  const flavour = reviewsFlavour(config);
  const mesh = new MeshClient(config.env);
  const ratingsBase = serviceUrl(settings, 'ratings');
  const app = createApp(log);
  app.addHook('onClose', async () => mesh.close());

  app.get('/health', async () => ({ status: 'Reviews is healthy' }));
  app.get<{ Params: { id: string } }>('/reviews/:id', async (req, reply) => {
    const id = parseProductId(req.params.id);
    if (id === undefined) return reply.code(400).send({ error: 'please provide numeric product id' });
    let ratingFor: (reviewer: string) => ReviewRating | undefined = () => undefined;
    if (flavour.ratings) {
      const res = await getJson<RatingsAnswer>(mesh, `${ratingsBase}/ratings/${id}`, {
        headers: propagatedHeaders(req.headers),
        timeoutMs: settings.reviewsRatingsTimeoutMs,
        log: req.log,
      });
      ratingFor = (reviewer) => {
        const stars = res.ok ? (res.body.ratings as Record<string, number> | undefined)?.[reviewer] : undefined;
        return typeof stars === 'number' ? { stars, color: flavour.color } : { error: RATINGS_UNAVAILABLE };
      };
    }
    const answer: ReviewsAnswer = {
      id: String(id),
      podname: identity.instance,
      clustername: settings.clusterName,
      version: identity.version,
      reviews: REVIEWERS.map((reviewer) => {
        const review: Review = { reviewer, text: REVIEW_TEXTS[reviewer] };
        const rating = ratingFor(reviewer);
        if (rating) review.rating = rating;
        return review;
      }),
    };
    return reply.header('x-reviews-version', identity.version).send(answer);
  });
  return serve(app, 'reviews', identity.address, servingPort(config));
}
