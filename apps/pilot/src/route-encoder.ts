// RouteConfigurations encoded from cached virtual hosts.
//
// Without Sidecar scoping a RouteConfiguration holds a virtual host per
// service (1000 in a 1000-service mesh, 600 KB), and a change of one
// VirtualService changes one of them; yet every cache key's route table was
// encoded again in full (protobuf walk and strict field checks) on every
// push. Here each virtual host is encoded once per distinct content and a
// route table is its other fields around the concatenated virtual hosts:
// the same bytes the whole-message encoder gives (fields in number order:
// name (1), virtual_hosts (2), then the rest). A host object seen before
// (translation shares unchanged hosts between keys and pushes) is found by
// identity, without its JSON.
import { encodeMessage, TYPE_URL } from '@sextant/proto';
import { VirtualHostCache } from '@sextant/translate';

const VIRTUAL_HOST = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const VIRTUAL_HOSTS_TAG = (2 << 3) | 2;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

export class RouteEncoder {
  /** Encoded virtual_hosts entries (tag, length, message) by JSON; forgotten when two generations did not use them. */
  private readonly hosts = new VirtualHostCache();
  /** The JSON key and encoding of each virtual host object seen (objects are never changed once built). */
  private readonly byObject = new WeakMap<object, { json: string; bytes: Buffer }>();

  get stats(): { hostsEncoded: number; hostsReused: number } {
    return { hostsEncoded: this.hosts.stats.built, hostsReused: this.hosts.stats.reused };
  }

  /** Forgets virtual hosts the last two generations did not use. */
  nextGeneration(): void {
    this.hosts.nextGeneration();
  }

  /** The encoding of a RouteConfiguration object (what encodeMessage gives, strict). Throws ProtoError like it. */
  encode(route: object): Buffer {
    const { name, virtualHosts, ...rest } = route as { name?: unknown; virtualHosts?: unknown };
    if (!Array.isArray(virtualHosts) || virtualHosts.length === 0) return encodeMessage(TYPE_URL.route, route);
    const parts: Buffer[] = [];
    if (name !== undefined) parts.push(encodeMessage(TYPE_URL.route, { name }));
    for (const vh of virtualHosts as object[]) parts.push(this.host(vh));
    if (Object.keys(rest).length > 0) parts.push(encodeMessage(TYPE_URL.route, rest));
    return Buffer.concat(parts);
  }

  private host(vh: object): Buffer {
    // Translation hands back the same object for an unchanged host (VirtualHostCache): its JSON is known.
    const known = this.byObject.get(vh);
    const json = known?.json ?? JSON.stringify(vh);
    const bytes = this.hosts.get(json, () => {
      const msg = encodeMessage(VIRTUAL_HOST, vh);
      return Buffer.concat([Buffer.from([VIRTUAL_HOSTS_TAG]), varint(msg.length), msg]);
    });
    if (!known) this.byObject.set(vh, { json, bytes });
    return bytes;
  }
}
