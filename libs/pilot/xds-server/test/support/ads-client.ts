// A small raw ADS client for protocol tests: sends exactly what a test says
// and queues every response, so a test can assert on nonces, versions and
// the absence of responses.
import * as grpc from '@grpc/grpc-js';
import {
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse__Output,
  type DiscoveryRequest,
  type DiscoveryResponse__Output,
  type Node,
  adsServiceDefinition,
  unpackAny,
} from '@sextant/proto';

type Stream<Req, Res> = grpc.ClientDuplexStream<Req, Res>;

class Responses<Res> {
  private queue: Res[] = [];
  private waiters: ((r: Res) => void)[] = [];
  status: grpc.StatusObject | undefined;
  private statusWaiters: ((s: grpc.StatusObject) => void)[] = [];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(call: Stream<any, Res>) {
    call.on('data', (r: Res) => {
      const w = this.waiters.shift();
      if (w) w(r);
      else this.queue.push(r);
    });
    call.on('status', (s: grpc.StatusObject) => {
      this.status = s;
      for (const w of this.statusWaiters.splice(0)) w(s);
    });
    call.on('error', () => {});
  }

  next(timeoutMs = 3000): Promise<Res> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (x: Res) => {
        clearTimeout(t);
        resolve(x);
      };
      this.waiters.push(done);
    });
  }

  /** Resolves when nothing arrives for `ms`; rejects with what arrived otherwise. */
  async none(ms = 250): Promise<void> {
    const got = await this.next(ms).then(
      (r) => r,
      () => undefined,
    );
    if (got) throw new Error(`unexpected response: ${JSON.stringify(summary(got))}`);
  }

  ended(timeoutMs = 3000): Promise<grpc.StatusObject> {
    if (this.status) return Promise.resolve(this.status);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('stream did not end')), timeoutMs);
      this.statusWaiters.push((s) => {
        clearTimeout(t);
        resolve(s);
      });
    });
  }
}

function summary(r: unknown): unknown {
  const x = r as { typeUrl?: string; nonce?: string };
  return { typeUrl: x.typeUrl, nonce: x.nonce };
}

function client(port: number): grpc.Client & Record<string, (...args: unknown[]) => unknown> {
  const Ads = adsServiceDefinition();
  return new Ads(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as never;
}

export class SotwClient extends Responses<DiscoveryResponse__Output> {
  readonly call: Stream<DiscoveryRequest, DiscoveryResponse__Output>;
  private readonly client: grpc.Client;
  private sentNode = false;

  constructor(
    port: number,
    readonly node: Node,
  ) {
    const c = client(port);
    const call = (c.StreamAggregatedResources as () => Stream<DiscoveryRequest, DiscoveryResponse__Output>).call(c);
    super(call);
    this.client = c;
    this.call = call;
  }

  send(req: DiscoveryRequest): void {
    this.call.write({ ...(this.sentNode ? {} : { node: this.node }), ...req });
    this.sentNode = true;
  }

  /** Requests a type and returns the response. */
  async request(typeUrl: string, names: string[] = [], extra: Partial<DiscoveryRequest> = {}): Promise<DiscoveryResponse__Output> {
    this.send({ typeUrl, resourceNames: names, ...extra });
    return this.next();
  }

  ack(res: DiscoveryResponse__Output, names: string[] = []): void {
    this.send({ typeUrl: res.typeUrl, versionInfo: res.versionInfo, responseNonce: res.nonce, resourceNames: names });
  }

  nack(res: DiscoveryResponse__Output, previousVersion: string, message: string, names: string[] = []): void {
    this.send({ typeUrl: res.typeUrl, versionInfo: previousVersion, responseNonce: res.nonce, resourceNames: names, errorDetail: { code: 3, message } });
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

export class DeltaClient extends Responses<DeltaDiscoveryResponse__Output> {
  readonly call: Stream<DeltaDiscoveryRequest, DeltaDiscoveryResponse__Output>;
  private readonly client: grpc.Client;
  private sentNode = false;

  constructor(
    port: number,
    readonly node: Node,
  ) {
    const c = client(port);
    const call = (c.DeltaAggregatedResources as () => Stream<DeltaDiscoveryRequest, DeltaDiscoveryResponse__Output>).call(c);
    super(call);
    this.client = c;
    this.call = call;
  }

  send(req: DeltaDiscoveryRequest): void {
    this.call.write({ ...(this.sentNode ? {} : { node: this.node }), ...req });
    this.sentNode = true;
  }

  ack(res: DeltaDiscoveryResponse__Output): void {
    this.send({ typeUrl: res.typeUrl, responseNonce: res.nonce });
  }

  nack(res: DeltaDiscoveryResponse__Output, message: string): void {
    this.send({ typeUrl: res.typeUrl, responseNonce: res.nonce, errorDetail: { code: 3, message } });
  }

  close(): void {
    this.call.end();
    this.client.close();
  }
}

/** Names of the resources in a SotW response. */
export function namesIn(res: DiscoveryResponse__Output): string[] {
  return res.resources
    .map((any) => {
      const m = unpackAny<{ name?: string; clusterName?: string }>(any as never).message;
      return m.clusterName || m.name || '';
    })
    .sort();
}

/** A resource of a SotW response, decoded. */
export function decoded<T>(res: DiscoveryResponse__Output, name: string): T | undefined {
  for (const any of res.resources) {
    const m = unpackAny<T & { name?: string; clusterName?: string }>(any as never).message;
    if ((m.clusterName || m.name) === name) return m;
  }
  return undefined;
}

/** name -> version of a delta response's resources. */
export function deltaVersions(res: DeltaDiscoveryResponse__Output): Record<string, string> {
  return Object.fromEntries(res.resources.map((r) => [r.name, r.version]));
}
