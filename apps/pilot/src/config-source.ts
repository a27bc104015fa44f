// Opens the batch-aware watch on `sextant_config` over the service's NATS
// link (waiting for NATS when it is not there yet).
import { ConfigStore, type ConfigWatch } from '@sextant/config-store';
import { BUCKETS, openBucket, type NatsLink } from '@sextant/nats';
import type { Logger } from '@sextant/util';

export async function openConfigWatch(link: NatsLink, logger: Logger, batchTimeoutMs: number): Promise<ConfigWatch> {
  await link.ready();
  const kv = await openBucket(link.nc, BUCKETS.config);
  const store = new ConfigStore({ kv, logger: logger.child({ scope: 'config-store' }), batchTimeoutMs });
  return store.watch({ batchTimeoutMs });
}
