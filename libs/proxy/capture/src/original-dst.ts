// The destination a captured connection was really sent to, read from the
// kernel with SO_ORIGINAL_DST (via the small native addon built at install).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface OriginalDst {
  address: string;
  port: number;
  family: 4 | 6;
}

type Addon = { getOriginalDst(fd: number): OriginalDst };
let addon: Addon | undefined;
let loadError: Error | undefined;

function load(): Addon {
  if (addon) return addon;
  if (loadError) throw loadError;
  try {
    addon = createRequire(import.meta.url)('@sextant/original-dst') as Addon;
    return addon;
  } catch (err) {
    loadError = new Error(
      `the SO_ORIGINAL_DST addon is not built (${(err as Error).message}); run \`npm rebuild @sextant/original-dst\` (needs python3, make and g++)`,
    );
    throw loadError;
  }
}

/** True when transparent capture can read original destinations here. */
export function originalDstAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** The pre-REDIRECT destination of an accepted socket; undefined if it was not redirected. */
export function originalDestination(socket: Socket): OriginalDst | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    const dst = load().getOriginalDst(fd);
    // Not redirected: the kernel reports the local address itself.
    if (dst.address === socket.localAddress && dst.port === socket.localPort) return undefined;
    return dst;
  } catch (err) {
    if (/not built/.test((err as Error).message)) throw err;
    return undefined;
  }
}

/**
 * The lookup a transparent-capture proxy hands to its data plane; throws at
 * once (with the rebuild hint) when the addon is missing, so a proxy started
 * with REDIRECT fails at start rather than on its first connection.
 */
export function requireOriginalDst(): (socket: Socket) => OriginalDst | undefined {
  load();
  return originalDestination;
}
