// ratings (v1): stars per reviewer for a product. Like Istio's ratings service,
// POST /ratings/<id> with {"Reviewer1": 1..5, ...} changes them (in memory).
import type { Logger } from '@sextant/util';
import { DEFAULT_RATINGS, parseProductId, REVIEWERS, type Reviewer } from './catalog';
import { createApp, serve, type RunningRole } from './server';
import { servingPort, type BookinfoConfig } from './settings';

export interface RatingsAnswer {
  id: number;
  ratings: Record<Reviewer, number>;
}

function validRatings(body: unknown): Partial<Record<Reviewer, number>> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'please provide a JSON object of reviewer ratings';
  const out: Partial<Record<Reviewer, number>> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!(REVIEWERS as readonly string[]).includes(k)) return `unknown reviewer ${JSON.stringify(k)}; known: ${REVIEWERS.join(', ')}`;
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 5) return `rating for ${k} must be an integer from 1 to 5`;
    out[k as Reviewer] = v as number;
  }
  return out;
}

export function startRatings(config: BookinfoConfig, log: Logger): Promise<RunningRole> {
  const stored = new Map<number, Record<Reviewer, number>>();
  const app = createApp(log);
  app.get('/health', async () => ({ status: 'Ratings is healthy' }));
  app.get<{ Params: { id: string } }>('/ratings/:id', async (req, reply) => {
    const id = parseProductId(req.params.id);
    if (id === undefined) return reply.code(400).send({ error: 'please provide numeric product ID' });
    const answer: RatingsAnswer = { id, ratings: stored.get(id) ?? { ...DEFAULT_RATINGS } };
    return answer;
  });
  app.post<{ Params: { id: string } }>('/ratings/:id', async (req, reply) => {
    const id = parseProductId(req.params.id);
    if (id === undefined) return reply.code(400).send({ error: 'please provide numeric product ID' });
    const update = validRatings(req.body);
    if (typeof update === 'string') return reply.code(400).send({ error: update });
    const ratings = { ...(stored.get(id) ?? DEFAULT_RATINGS), ...update };
    stored.set(id, ratings);
    const answer: RatingsAnswer = { id, ratings };
    return answer;
  });
  return serve(app, 'ratings', config.identity.address, servingPort(config));
}
