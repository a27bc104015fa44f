// A tiny Kubernetes API server over real HTTP: list and watch (chunked JSON
// lines) for the collections the registry reads. Tests mutate objects with
// apply()/remove() and every open watch hears ADDED/MODIFIED/DELETED.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface Collection {
  kind: string;
  apiVersion: string;
  items: Map<string, Obj>;
  watchers: Set<ServerResponse>;
}

export class FakeKubeApi {
  private readonly server: Server;
  private rv = 1;
  private readonly collections = new Map<string, Collection>();
  /** Requests seen, for assertions (`GET /api/v1/pods?watch=true...`). */
  readonly requests: string[] = [];

  constructor() {
    this.collection('/api/v1/services', 'ServiceList', 'v1');
    this.collection('/api/v1/pods', 'PodList', 'v1');
    this.collection('/apis/discovery.k8s.io/v1/endpointslices', 'EndpointSliceList', 'discovery.k8s.io/v1');
    this.server = createServer((req, res) => this.handle(req, res));
  }

  private collection(path: string, kind: string, apiVersion: string): void {
    this.collections.set(path, { kind, apiVersion, items: new Map(), watchers: new Set() });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const c of this.collections.values()) for (const w of c.watchers) w.end();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  kubeConfig(server: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server, skipTLSVerify: true }],
      users: [{ name: 'test' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'test' }],
      currentContext: 'fake',
    });
    return kc;
  }

  apply(path: string, obj: Obj): void {
    const c = this.collections.get(path)!;
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const type = c.items.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    c.items.set(key, stored);
    this.broadcast(c, type, stored);
  }

  remove(path: string, namespace: string, name: string): void {
    const c = this.collections.get(path)!;
    const key = `${namespace}/${name}`;
    const old = c.items.get(key);
    if (!old) return;
    c.items.delete(key);
    this.broadcast(c, 'DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } });
  }

  watcherCount(path: string): number {
    return this.collections.get(path)!.watchers.size;
  }

  private broadcast(c: Collection, type: string, object: Obj): void {
    for (const w of c.watchers) w.write(JSON.stringify({ type, object }) + '\n');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const c = this.collections.get(url.pathname);
    if (!c || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 404 }));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      c.watchers.add(res);
      res.on('close', () => c.watchers.delete(res));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: c.kind, apiVersion: c.apiVersion, metadata: { resourceVersion: String(this.rv) }, items: [...c.items.values()] }));
  }
}
