// details (v1): the book's bibliographic details.
import type { Logger } from '@sextant/util';
import { bookDetails, parseProductId } from './catalog';
import { createApp, serve, type RunningRole } from './server';
import { servingPort, type BookinfoConfig } from './settings';

export function startDetails(config: BookinfoConfig, log: Logger): Promise<RunningRole> {
  const app = createApp(log);
  app.get('/health', async () => ({ status: 'Details is healthy' }));
  app.get<{ Params: { id: string } }>('/details/:id', async (req, reply) => {
    const id = parseProductId(req.params.id);
    if (id === undefined) return reply.code(400).send({ error: 'please provide numeric product id' });
    return bookDetails(id);
  });
  return serve(app, 'details', config.identity.address, servingPort(config));
}
