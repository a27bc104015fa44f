// A minimal SotW ADS client for Pilot's tests: writes the requests a test
// names (ACKs, NACKs) and hands back responses with decoded resources.
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition, unpackAny, type DiscoveryRequest, type DiscoveryResponse__Output, type Node } from '@sextant/proto';

export interface Decoded {
  typeUrl: string;
  versionInfo: string;
  nonce: string;
  resources: Record<string, unknown>[];
}

export class AdsTestClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse__Output>;
  private readonly queue: Decoded[] = [];
  private readonly waiters: ((d: Decoded) => void)[] = [];
  private first = true;
  ended: grpc.StatusObject | undefined;

  constructor(
    address: string,
    private readonly node: Node,
  ) {
    const Ads = adsServiceDefinition();
    this.client = new Ads(address, grpc.credentials.createInsecure());
    this.call = (this.client as unknown as Record<string, () => typeof this.call>)['StreamAggregatedResources']!.call(this.client);
    this.call.on('data', (r: DiscoveryResponse__Output) => {
      const d: Decoded = {
        typeUrl: r.typeUrl,
        versionInfo: r.versionInfo,
        nonce: r.nonce,
        resources: r.resources.map((a) => unpackAny(a as never).message),
      };
      const w = this.waiters.shift();
      if (w) w(d);
      else this.queue.push(d);
    });
    this.call.on('status', (s: grpc.StatusObject) => (this.ended = s));
    this.call.on('error', () => undefined);
  }

  request(typeUrl: string, names: string[], ack?: { versionInfo: string; nonce: string }, error?: string): void {
    const req: DiscoveryRequest = { typeUrl, resourceNames: names, versionInfo: ack?.versionInfo ?? '', responseNonce: ack?.nonce ?? '' };
    if (this.first) req.node = this.node;
    if (error) req.errorDetail = { code: 3, message: error };
    this.first = false;
    this.call.write(req);
  }

  /** The next response (of `typeUrl` when given; others before it are dropped). */
  async next(typeUrl?: string, timeoutMs = 5000): Promise<Decoded> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = await this.one(Math.max(1, deadline - Date.now()));
      if (!typeUrl || d.typeUrl === typeUrl) return d;
    }
  }

  /** Whatever arrives within `ms` (for "nothing else came"). */
  async drain(ms: number): Promise<Decoded[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }

  private one(timeoutMs: number): Promise<Decoded> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no xDS response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (d: Decoded) => {
        clearTimeout(t);
        resolve(d);
      };
      this.waiters.push(done);
    });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
