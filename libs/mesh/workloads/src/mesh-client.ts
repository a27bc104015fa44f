// How a sample workload calls another service by name (http://reviews:9080/x).
// With a sidecar, the request goes to the sidecar as an HTTP proxy (absolute-
// form request target, like HTTP_PROXY), and the sidecar routes it. Without
// one, the host is looked up in the runner's SEXTANT_SERVICES map and the
// instances are taken in turn.
import http from 'node:http';
import { WORKLOAD_ENV } from './workload-env';

export interface MeshResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface MeshRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
}

export class MeshClient {
  private readonly proxy: URL | undefined;
  private readonly services: Record<string, string[]>;
  private readonly cursor = new Map<string, number>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(env: Record<string, string | undefined> = process.env) {
    this.proxy = env[WORKLOAD_ENV.outboundProxy] ? new URL(env[WORKLOAD_ENV.outboundProxy] as string) : undefined;
    this.services = env[WORKLOAD_ENV.services] ? (JSON.parse(env[WORKLOAD_ENV.services] as string) as Record<string, string[]>) : {};
  }

  /** Where a request for `url` is sent: the sidecar, or a direct instance address. */
  resolve(url: URL): { host: string; port: number; path: string } {
    const port = Number(url.port || 80);
    if (this.proxy) return { host: this.proxy.hostname, port: Number(this.proxy.port || 80), path: url.href };
    const candidates = (this.services[url.hostname] ?? []).filter((a) => Number(a.split(':').pop()) === port);
    if (candidates.length === 0) return { host: url.hostname, port, path: url.pathname + url.search };
    const key = `${url.hostname}:${port}`;
    const i = this.cursor.get(key) ?? 0;
    this.cursor.set(key, i + 1);
    const chosen = candidates[i % candidates.length];
    const sep = chosen.lastIndexOf(':');
    return { host: chosen.slice(0, sep), port: Number(chosen.slice(sep + 1)), path: url.pathname + url.search };
  }

  request(target: string, opts: MeshRequestOptions = {}): Promise<MeshResponse> {
    const url = new URL(target);
    const dest = this.resolve(url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: dest.host,
          port: dest.port,
          path: dest.path,
          method: opts.method ?? 'GET',
          agent: this.agent,
          headers: { host: url.host, ...opts.headers },
          timeout: opts.timeoutMs ?? 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request to ${target} timed out after ${opts.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Headers an app must copy from an inbound request to its outbound calls so traces join up. */
export const TRACE_HEADERS = [
  'traceparent',
  'tracestate',
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'x-ot-span-context',
  'end-user',
  'user-agent',
] as const;

export function propagatedHeaders(incoming: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of TRACE_HEADERS) {
    const v = incoming[h];
    if (typeof v === 'string') out[h] = v;
  }
  return out;
}
