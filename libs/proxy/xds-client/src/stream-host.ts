// What an ADS stream (SotW or delta) needs from the client: who we are,
// what we subscribe to, and where decoded updates go. The streams only speak
// the wire protocol; the client owns state.
import type { Node } from '@sextant/proto';
import type { Logger } from '@sextant/util';
import type { AnyLike } from './decode-support';
import { resourceBytes, RESOURCE_TYPES, type ResourceKind } from './resource-types';

export interface ResourceUpdateItem {
  name: string;
  version: string;
  bytes?: Uint8Array;
  /** Set when the resource could not even be unpacked. */
  error?: string;
}

export interface ResourceUpdate {
  /** SotW for wildcard types: the set is complete and anything absent is removed. */
  complete: boolean;
  systemVersion: string;
  resources: ResourceUpdateItem[];
  removed: string[];
}

export interface Subscription {
  wildcard: boolean;
  names: ReadonlySet<string>;
}

export interface StreamHost {
  readonly node: Node;
  readonly log: Logger;
  subscription(kind: ResourceKind): Subscription;
  knownVersions(kind: ResourceKind): Record<string, string>;
  /** Applies an update; returns the errors to NACK with (empty: ACK). */
  apply(kind: ResourceKind, update: ResourceUpdate): string[];
  /** A response arrived: the stream is healthy. */
  onResponse(kind: ResourceKind): void;
  /** A NACK or ACK was sent (for status pages and tests). */
  onAck(kind: ResourceKind, ack: { version: string; nonce: string; error?: string }): void;
}

export interface AdsStream {
  readonly protocol: 'sotw' | 'delta';
  start(): void;
  /** The wanted names of a type changed. */
  resubscribe(kind: ResourceKind): void;
  close(): void;
}

/** Unpacks one Any of a response; the name comes from the wrapper or the decoder later. */
export function unpackItem(kind: ResourceKind, any: AnyLike, name: string, version: string): ResourceUpdateItem {
  const unpacked = resourceBytes(any, RESOURCE_TYPES[kind].typeUrl);
  if ('error' in unpacked) return { name, version, error: unpacked.error };
  return { name: name || unpacked.wrappedName || '', version, bytes: unpacked.bytes };
}

/** The status code a NACK carries (google.rpc.Code INVALID_ARGUMENT). */
export const NACK_CODE = 3;

/** NACK messages are capped so one bad push cannot make a huge request. */
export function nackMessage(errors: string[]): string {
  const text = errors.slice(0, 20).join('; ');
  const more = errors.length > 20 ? ` (and ${errors.length - 20} more)` : '';
  return (text.length > 4000 ? `${text.slice(0, 4000)}...` : text) + more;
}
