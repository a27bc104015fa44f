// Galley's debug endpoints on the admin server.
import type { AdminServer } from '@sextant/admin';
import type { ConfigIngest } from './config-ingest';
import type { FileSource } from './file-source';
import type { KubeSource } from './kube-source';
import { restError } from './rest-routes';

export interface GalleyDebugSources {
  fileSource?: FileSource;
  kubeSource?: KubeSource;
  webhook?: { port: number; paths: readonly string[] };
}

export function registerGalleyDebugHandlers(admin: AdminServer, ingest: ConfigIngest, sources: () => GalleyDebugSources): void {
  admin.registerDebugHandler('configz', 'every stored resource, as stored (resourceVersion = KV revision); ?kind=&namespace= to filter', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    try {
      const items = await ingest.store.list({ kind: q['kind'] || undefined, namespace: q['namespace'] || undefined });
      return { count: items.length, resources: items.map((s) => s.resource) };
    } catch (err) {
      const { status, body } = restError(err);
      return reply.code(status).send(body);
    }
  });
  admin.registerDebugHandler('sources', 'config sources: the --config-dir files (applied / invalid with errors), the Kubernetes watch, the webhook', async () => {
    const s = sources();
    return {
      configDir: s.fileSource?.status() ?? null,
      kubernetes: s.kubeSource?.status() ?? null,
      webhook: s.webhook ?? null,
    };
  });
}
