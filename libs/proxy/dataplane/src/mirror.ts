// Request mirroring (shadowing): a copy of the request, with "-shadow"
// appended to the host, goes to the mirror cluster once the request body is
// complete; its answer is read and dropped. Never retried, never waited for.
import type { HttpExchange } from './http-exchange';
import type { RequestHead, UpstreamHandler, UpstreamStream } from './upstream';

class MirrorRequest implements UpstreamHandler {
  constructor(
    private readonly head: RequestHead,
    private readonly body: readonly Buffer[],
    private readonly done: () => void,
  ) {}
  onUpstreamReady(stream: UpstreamStream): void {
    stream.sendHead(this.head, this.body.length === 0);
    if (this.body.length > 0) {
      for (const c of this.body) stream.sendData(c);
      stream.sendEnd();
    }
  }
  onUpstreamHead(_status: number, _headers: string[], end?: boolean): void {
    if (end) this.done();
  }
  onUpstreamData(): void {}
  onUpstreamEnd(): void {
    this.done();
  }
  onUpstreamFailure(): void {
    this.done();
  }
  onUpstreamDrain(): void {}
}

function shadowHost(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon > 0 && !authority.endsWith(']')) return `${authority.slice(0, colon)}-shadow${authority.slice(colon)}`;
  return `${authority}-shadow`;
}

export function startMirrors(ex: HttpExchange): void {
  const route = ex.route;
  const head = ex.upstreamHead;
  if (!route || !head || ex.bodyOverflow) return;
  for (const m of route.mirrors) {
    if (m.fraction < 1 && Math.random() >= m.fraction) continue;
    const cluster = ex.active.clusters.get(m.cluster);
    if (!cluster || !cluster.canStartRequest()) continue;
    const host = cluster.pick(undefined, undefined);
    if (!host) continue;
    const copy: RequestHead = { ...head, headers: head.headers.slice(), authority: shadowHost(head.authority) };
    const body = ex.body?.slice() ?? [];
    cluster.activeRequests++;
    host.activeRequests++;
    cluster.stats.upstream_rq_total++;
    const done = () => {
      cluster.activeRequests--;
      host.activeRequests--;
    };
    const protocol = cluster.config.upstreamProtocol === 'http2' ? 'http2' : 'http1';
    ex.services.poolFor(cluster, host, protocol).acquire(new MirrorRequest(copy, body, done));
  }
}
