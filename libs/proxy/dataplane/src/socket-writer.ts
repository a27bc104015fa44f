// The two writes every proxied request makes (the upstream request head and
// the client's response head with its first body chunk) go straight to the
// socket's stream handle, skipping net.Socket's Writable bookkeeping, when
// nothing else is queued on the socket. Order is kept: libuv queues writes
// on the handle, and the Writable path is used whenever it holds data.
// Anything unusual (no handle, a pending Writable buffer, a binding that is
// not there) falls back to socket.write.
//
// Only a plain TCP handle takes the direct path. A TLS socket's handle is a
// TLSWrap, which accepts one write at a time (it asserts !current_write_ and
// aborts the process): net.Socket's Writable never overlaps writes, but a
// direct write followed by socket.write() before it completes would. TLS
// sockets (and any other wrapped stream) therefore always use socket.write.
import type { Socket } from 'node:net';

interface WriteReq {
  handle: unknown;
  oncomplete: (status: number) => void;
  async: boolean;
  bytes: number;
  buffer: unknown;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
  writeQueueSize: number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  /** tcp_wrap's TCP handle class: the only handle written to directly. */
  TCP: abstract new () => unknown;
}

function loadBinding(): StreamWrapBinding | undefined {
  try {
    const get = (process as unknown as { binding(name: string): unknown }).binding;
    const b = get.call(process, 'stream_wrap') as Partial<StreamWrapBinding>;
    const tcp = (get.call(process, 'tcp_wrap') as { TCP?: unknown }).TCP;
    if (typeof b.WriteWrap === 'function' && b.streamBaseState && typeof b.kLastWriteWasAsync === 'number' && typeof tcp === 'function') {
      return { WriteWrap: b.WriteWrap, streamBaseState: b.streamBaseState, kLastWriteWasAsync: b.kLastWriteWasAsync, TCP: tcp as StreamWrapBinding['TCP'] };
    }
  } catch {
    // not available: the Writable path is used
  }
  return undefined;
}

const binding = loadBinding();

function done(this: WriteReq, status: number): void {
  this.buffer = null;
  if (status < 0) (this as unknown as { socket?: Socket }).socket?.destroy();
}

/**
 * Writes one head (and first chunk). Returns the Writable's answer on the
 * fallback path; on the direct path true (one bounded write; later chunks go
 * through socket.write, which keeps its own backpressure).
 */
export function writeFast(socket: Socket, data: Buffer | string): boolean {
  const handle = (socket as unknown as { _handle?: StreamHandle })._handle;
  if (binding === undefined || handle === undefined || handle === null || !(handle instanceof binding.TCP) || socket.writableLength > 0 || socket.destroyed || socket.writableEnded || (socket as unknown as { connecting?: boolean }).connecting) {
    return typeof data === 'string' ? socket.write(data, 'latin1') : socket.write(data);
  }
  const req = new binding.WriteWrap();
  req.handle = handle;
  req.oncomplete = done;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  (req as unknown as { socket: Socket }).socket = socket;
  const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
  if (err !== 0) {
    socket.destroy();
    return false;
  }
  if (binding.streamBaseState[binding.kLastWriteWasAsync] !== 0) {
    // Still queued in libuv: keep the bytes alive until it completes.
    req.async = true;
    req.buffer = data;
  }
  return true;
}
