// Stable virtual IPs for services that have none (local workloads,
// ServiceEntries without addresses), like Istio's ServiceEntry
// auto-allocation from 240.240.0.0/16. The first choice is a hash of the
// hostname, so it survives restarts; a collision probes to the next free
// address; an address, once given, stays with its hostname until released.
import { RegistryError } from './errors';

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export const DEFAULT_VIP_CIDR = '240.240.0.0/16';

export class VipAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly byHost = new Map<string, string>();
  private readonly byIp = new Map<string, string>();

  constructor(cidr: string = DEFAULT_VIP_CIDR) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    const bits = m ? Number(m[2]) : NaN;
    if (!m || bits < 8 || bits > 30) throw new RegistryError('REGISTRY_CIDR_INVALID', `${cidr} is not an IPv4 CIDR between /8 and /30`);
    this.size = 2 ** (32 - bits);
    this.base = (ipToInt(m[1]!) & ~(this.size - 1)) >>> 0;
  }

  /** The address of `hostname`, allocating one if it has none. */
  allocate(hostname: string): string {
    const have = this.byHost.get(hostname);
    if (have) return have;
    const start = fnv1a(hostname) % this.size;
    for (let i = 0; i < this.size; i++) {
      const n = (this.base + ((start + i) % this.size)) >>> 0;
      const last = n & 255;
      if (last === 0 || last === 255) continue;
      const ip = intToIp(n);
      if (this.byIp.has(ip)) continue;
      this.byHost.set(hostname, ip);
      this.byIp.set(ip, hostname);
      return ip;
    }
    throw new RegistryError('REGISTRY_VIP_EXHAUSTED', `no free address left for ${hostname}`);
  }

  release(hostname: string): void {
    const ip = this.byHost.get(hostname);
    if (!ip) return;
    this.byHost.delete(hostname);
    this.byIp.delete(ip);
  }

  /** The address `hostname` holds, if any. */
  lookup(hostname: string): string | undefined {
    return this.byHost.get(hostname);
  }

  /** Allocates for every hostname in sorted order (deterministic when several collide). */
  allocateAll(hostnames: Iterable<string>): Map<string, string> {
    const out = new Map<string, string>();
    for (const h of [...new Set(hostnames)].sort()) out.set(h, this.allocate(h));
    return out;
  }
}
