// x-request-id values: random UUIDs (v4), drawn from a large pre-filled
// entropy pool so the request path does not call into the CSPRNG each time.
import { randomFillSync } from 'node:crypto';

const POOL_IDS = 4096;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

export function requestId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const o = 16 * next++;
  const b = pool;
  const h = HEX;
  return `${h[b[o]!]}${h[b[o + 1]!]}${h[b[o + 2]!]}${h[b[o + 3]!]}-${h[b[o + 4]!]}${h[b[o + 5]!]}-${h[(b[o + 6]! & 0x0f) | 0x40]}${h[b[o + 7]!]}-${h[(b[o + 8]! & 0x3f) | 0x80]}${h[b[o + 9]!]}-${h[b[o + 10]!]}${h[b[o + 11]!]}${h[b[o + 12]!]}${h[b[o + 13]!]}${h[b[o + 14]!]}${h[b[o + 15]!]}`;
}
