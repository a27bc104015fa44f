// Reads from the config bucket: one entry, every entry, one key's history.
import { KvWatchInclude, type KV } from '@nats-io/kv';
import { decodeEntry, type ConfigEntry } from './entry-codec';
import { ConfigStoreError } from './errors';

function unavailable(what: string, err: unknown): ConfigStoreError {
  return new ConfigStoreError('STORE_UNAVAILABLE', `${what} failed: ${(err as Error).message}`, { cause: err });
}

/** The current entry of `key` (PUT or DEL), or undefined when the key was never written or was purged. */
export async function readEntry(kv: KV, key: string): Promise<ConfigEntry | undefined> {
  let e;
  try {
    e = await kv.get(key);
  } catch (err) {
    throw unavailable(`reading ${key}`, err);
  }
  return e ? decodeEntry(e) : undefined;
}

/** The last entry of every key (deleted ones included), read up to the bucket's last revision. */
export async function readAllEntries(kv: KV): Promise<ConfigEntry[]> {
  try {
    const last = (await kv.status()).streamInfo.state.last_seq;
    if (last === 0) return [];
    const iter = await kv.watch({ include: KvWatchInclude.LastValue });
    const out: ConfigEntry[] = [];
    for await (const e of iter) {
      const entry = decodeEntry(e);
      if (entry && e.revision <= last) out.push(entry);
      if (e.revision >= last) break;
    }
    iter.stop();
    return out;
  } catch (err) {
    throw unavailable('listing the config bucket', err);
  }
}

/** Every revision the bucket still keeps for `key`, oldest first. */
export async function readHistory(kv: KV, key: string): Promise<ConfigEntry[]> {
  try {
    const iter = await kv.history({ key });
    const out: ConfigEntry[] = [];
    for await (const e of iter) {
      const entry = decodeEntry(e);
      if (entry) out.push(entry);
    }
    return out;
  } catch (err) {
    throw unavailable(`reading the history of ${key}`, err);
  }
}
