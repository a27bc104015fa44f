// A small stand-in for the Kubernetes API server, over real HTTP, for the
// Kubernetes source's tests: list and watch (JSON lines) of custom objects.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string; namespace?: string }; spec?: unknown };

export class FakeKubeApi {
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly watchers = new Map<string, Set<ServerResponse>>();
  private revision = 100;
  private server: Server | undefined;
  port = 0;
  readonly requests: string[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const path = url.pathname;
      if (!/^\/apis\/[^/]+\/[^/]+\/[^/]+$/.test(path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404, message: 'not found' }));
        return;
      }
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.write('');
        const set = this.watchers.get(path) ?? new Set();
        set.add(res);
        this.watchers.set(path, set);
        req.on('close', () => set.delete(res));
        return;
      }
      const items = [...(this.objects.get(path)?.values() ?? [])];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.revision) }, items }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'galley', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'galley' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** Adds or replaces an object and tells the watchers (ADDED or MODIFIED). */
  put(path: string, obj: Obj): void {
    const map = this.objects.get(path) ?? new Map<string, Obj>();
    this.objects.set(path, map);
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const type = map.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.revision), uid: `uid-${key}`, generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] } };
    map.set(key, stored);
    this.emit(path, type, stored);
  }

  remove(path: string, namespace: string, name: string): void {
    const obj = this.objects.get(path)?.get(`${namespace}/${name}`);
    if (!obj) return;
    this.objects.get(path)!.delete(`${namespace}/${name}`);
    this.emit(path, 'DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.revision) } });
  }

  async close(): Promise<void> {
    for (const set of this.watchers.values()) for (const res of set) res.end();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server?.closeAllConnections();
  }

  private emit(path: string, type: string, object: Obj): void {
    for (const res of this.watchers.get(path) ?? []) res.write(`${JSON.stringify({ type, object })}\n`);
  }
}
