// Port and address allocation for the local mesh. Control-plane components
// share 127.0.0.1 and keep their default ports when free. Each workload
// instance gets its own loopback address (127.0.10.x and up), so every
// instance can listen on the ports its workload declares, as pods do.
import { freePort, portIsFree } from '@sextant/util';

export class PortAllocator {
  private readonly taken = new Set<number>();
  constructor(private readonly host = '127.0.0.1') {}

  /** The preferred port if nobody holds it, else one the kernel picks. */
  async take(preferred: number): Promise<number> {
    if (!this.taken.has(preferred) && (await portIsFree(this.host, preferred))) {
      this.taken.add(preferred);
      return preferred;
    }
    for (;;) {
      const p = await freePort(this.host);
      if (!this.taken.has(p)) {
        this.taken.add(p);
        return p;
      }
    }
  }
}

export class AddressAllocator {
  private next: number;
  private readonly taken = new Set<string>();
  /** start: offset in 127.<a>.<b>.<c> space, default 127.0.10.1. */
  constructor(start = 10 * 256 + 1) {
    this.next = start;
  }

  /** A loopback address on which every port in `ports` is free. */
  async take(ports: number[]): Promise<string> {
    for (let tries = 0; tries < 5000; tries++) {
      const n = this.next++;
      const addr = `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      if ((n & 255) === 0 || (n & 255) === 255 || this.taken.has(addr)) continue;
      const free = await Promise.all(ports.map((p) => portIsFree(addr, p)));
      if (free.every(Boolean)) {
        this.taken.add(addr);
        return addr;
      }
    }
    throw new Error('no free loopback address found for a workload instance');
  }
}
