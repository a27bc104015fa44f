// A lean SotW ADS stream for the simulated sidecars of the Pilot scale
// benchmark, straight on node:http2 (no grpc-js on the receiving side).
//
// 2000 simulated Envoys share one process and one core, and in the full mesh
// each change brings every one of them a 600 KB RouteConfiguration: through
// grpc-js each message was gathered into a new buffer (a copy and an
// allocation per response, and the garbage collections they cause), which
// made the simulator's own CPU a large part of the measured latency. Here a
// message stays in the chunks it arrived in: the response's version, type
// and nonce are read across them, resources are skipped, and the message is
// joined only when its resources must be decoded (CDS and LDS, once per
// version, for the names a stream subscribes to next). Every byte is still
// received through HTTP/2 flow control, and every response is ACKed with its
// version and nonce, as Envoy does.
import * as http2 from 'node:http2';

export interface LeanResponse {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  /** How many resources the response holds. */
  resourceCount: number;
  /** The whole message, joined on demand (for decoding its resources). */
  join(): Buffer;
}

const PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
/** Stream and connection windows: large, as Envoy's are (Envoy: 256 MiB). */
const WINDOW = 16 * 1024 * 1024;
/** Largest DATA frame the sidecars accept (HTTP/2 default 16 KiB). */
const MAX_FRAME = Number(process.env["BENCH_MAX_FRAME"] ?? 16 * 1024);

/** Reads protobuf fields across a list of chunks without joining them. */
export class Cursor {
  private ci = 0;
  private off = 0;
  /** Bytes read so far (for bounding embedded messages). */
  pos = 0;
  constructor(private readonly chunks: Buffer[]) {}

  /** Skips `n` bytes and returns a getter for them (a view when they lie in one chunk, else joined on call). */
  lazy(n: number): () => Buffer {
    void this.done;
    const { ci, off } = this;
    this.skip(n);
    return () => {
      const first = this.chunks[ci];
      if (!first || first.length - off >= n) return (first ?? Buffer.alloc(0)).subarray(off, off + n);
      const parts: Buffer[] = [];
      let left = n;
      for (let i = ci, o = off; left > 0; i++, o = 0) {
        const c = this.chunks[i]!;
        const take = Math.min(left, c.length - o);
        parts.push(c.subarray(o, o + take));
        left -= take;
      }
      return Buffer.concat(parts);
    };
  }

  get done(): boolean {
    while (this.ci < this.chunks.length && this.off >= this.chunks[this.ci]!.length) {
      this.ci++;
      this.off = 0;
    }
    return this.ci >= this.chunks.length;
  }

  byte(): number {
    if (this.done) throw new Error('truncated message');
    this.pos++;
    return this.chunks[this.ci]![this.off++]!;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  }

  skip(n: number): void {
    this.pos += n;
    while (n > 0) {
      if (this.done) throw new Error('truncated message');
      const take = Math.min(n, this.chunks[this.ci]!.length - this.off);
      this.off += take;
      n -= take;
    }
  }

  string(n: number): string {
    this.pos += n;
    if (!this.done && this.chunks[this.ci]!.length - this.off >= n) {
      const s = this.chunks[this.ci]!.toString('utf8', this.off, this.off + n);
      this.off += n;
      return s;
    }
    const parts: Buffer[] = [];
    while (n > 0) {
      if (this.done) throw new Error('truncated message');
      const c = this.chunks[this.ci]!;
      const take = Math.min(n, c.length - this.off);
      parts.push(c.subarray(this.off, this.off + take));
      this.off += take;
      n -= take;
    }
    return Buffer.concat(parts).toString('utf8');
  }
}

/** A DiscoveryResponse's top-level fields, read from its chunks. */
function leanResponse(chunks: Buffer[]): LeanResponse {
  const c = new Cursor(chunks);
  const res = { versionInfo: '', typeUrl: '', nonce: '', resourceCount: 0 };
  while (!c.done) {
    const tag = c.varint();
    const wire = tag & 7;
    if (wire === 0) {
      c.varint();
      continue;
    }
    if (wire !== 2) throw new Error(`unexpected wire type ${wire}`);
    const len = c.varint();
    const field = tag >>> 3;
    if (field === 1) res.versionInfo = c.string(len);
    else if (field === 4) res.typeUrl = c.string(len);
    else if (field === 5) res.nonce = c.string(len);
    else {
      if (field === 2) res.resourceCount++;
      c.skip(len);
    }
  }
  let joined: Buffer | undefined;
  return { ...res, join: () => (joined ??= chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) };
}

export interface RawStream {
  write(message: Buffer): void;
  close(): void;
}

/** One HTTP/2 connection carrying many ADS streams. */
export class RawAdsConnection {
  private readonly session: http2.ClientHttp2Session;

  constructor(address: string, onError: (err: Error) => void) {
    this.session = http2.connect(`http://${address}`, { settings: { initialWindowSize: WINDOW, maxFrameSize: MAX_FRAME } });
    this.session.on('connect', () => this.session.setLocalWindowSize(WINDOW));
    this.session.on('error', onError);
  }

  /** Opens a StreamAggregatedResources call; `onResponse` gets each response, `onError` a failed call. */
  open(onResponse: (res: LeanResponse) => void, onError: (err: Error) => void): RawStream {
    return this.openRaw(PATH, (chunks) => onResponse(leanResponse(chunks)), onError);
  }

  /** Opens a call on `path`; `onMessage` gets each response message as the chunks it arrived in. */
  openRaw(path: string, onMessage: (chunks: Buffer[]) => void, onError: (err: Error) => void): RawStream {
    const stream = this.session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    let header = Buffer.alloc(0);
    let remaining = -1;
    let chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      let pos = 0;
      while (pos < chunk.length) {
        if (remaining < 0) {
          const take = Math.min(5 - header.length, chunk.length - pos);
          header = Buffer.concat([header, chunk.subarray(pos, pos + take)]);
          pos += take;
          if (header.length < 5) return;
          if (header[0] !== 0) return onError(new Error('compressed response'));
          remaining = header.readUInt32BE(1);
          header = Buffer.alloc(0);
          chunks = [];
        }
        const take = Math.min(remaining, chunk.length - pos);
        if (take > 0) chunks.push(chunk.subarray(pos, pos + take));
        pos += take;
        remaining -= take;
        if (remaining === 0) {
          remaining = -1;
          onMessage(chunks);
        }
      }
    });
    stream.on('trailers', (trailers) => {
      const status = Number(trailers['grpc-status'] ?? 0);
      if (status !== 0) onError(new Error(`${status} ${String(trailers['grpc-message'] ?? '')}`));
    });
    stream.on('error', onError);
    return {
      write: (message: Buffer) => {
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(message.length, 1);
        stream.write(Buffer.concat([prefix, message]));
      },
      close: () => stream.close(http2.constants.NGHTTP2_CANCEL),
    };
  }

  close(): void {
    this.session.close();
  }
}
