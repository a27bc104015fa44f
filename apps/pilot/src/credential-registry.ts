// Pilot's credential registry (Istio's credential controller): gateway TLS
// credentials by namespace and name, from several sources (Secrets stored
// through Galley in `sextant_config`, and Kubernetes Secrets in a cluster;
// a source listed first wins a name both have). Resolution is
// @sextant/credentials' (the proxy's own namespace only, `-cacert`). Each
// change names the Secrets it touched (`Secret/<ns>/<name>` config keys), so
// the push pipeline pushes the gateways again.
import { resolveCredential, type TlsCredential } from '@sextant/credentials';
import { configKey, type ConfigKey } from '@sextant/pilot-model';
import type { CredentialSource, SecretObject } from './secrets';

export type CredentialListener = (keys: ConfigKey[]) => void;

export interface CredentialRegistryStatus {
  sources: Record<string, number>;
  /** What each source holds (names and parts, never key material). */
  secrets: { secret: string; source: string; certificate: boolean; caCertificate: boolean }[];
  rejected: { secret: string; source: string; reason: string }[];
}

export class CredentialRegistry implements CredentialSource {
  private readonly sources = new Map<string, Map<string, TlsCredential>>();
  private readonly rejects = new Map<string, { source: string; reason: string }>();
  private readonly listeners = new Set<CredentialListener>();

  /** `order`: source names, highest precedence first. */
  constructor(order: readonly string[]) {
    for (const s of order) this.sources.set(s, new Map());
  }

  resolve(name: string, namespace: string): { ok: true; secret: SecretObject } | { ok: false; reason: string } {
    const r = resolveCredential(name, namespace, (ns, n) => this.lookup(`${ns}/${n}`));
    if (r.ok) return { ok: true, secret: r.secret };
    const rejected = parseRejected(name, namespace, this.rejects);
    return { ok: false, reason: rejected ?? r.reason };
  }

  /** The credential `namespace/name`, from the first source that has it. */
  lookup(key: string): TlsCredential | undefined {
    for (const m of this.sources.values()) {
      const c = m.get(key);
      if (c) return c;
    }
    return undefined;
  }

  onChange(listener: CredentialListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets (or with undefined, removes) `namespace/name` of a source. */
  set(source: string, key: string, credential: TlsCredential | undefined, rejectedReason?: string): void {
    this.apply(source, new Map([[key, credential]]), false, rejectedReason ? new Map([[key, rejectedReason]]) : new Map());
  }

  /** Several changes of one source at once; `replace`: they are the whole source. */
  apply(source: string, changes: ReadonlyMap<string, TlsCredential | undefined>, replace: boolean, rejected: ReadonlyMap<string, string> = new Map()): void {
    const m = this.sources.get(source);
    if (!m) throw new Error(`unknown credential source ${source}`);
    const touched = new Set<string>();
    if (replace) {
      for (const k of m.keys()) if (!changes.has(k)) touched.add(k);
      for (const [k, r] of this.rejects) if (r.source === source && !rejected.has(k)) this.rejects.delete(k);
      for (const k of touched) m.delete(k);
    }
    for (const [k, c] of changes) {
      const before = m.get(k);
      if (c) m.set(k, c);
      else m.delete(k);
      if (before !== c) touched.add(k);
      if (!rejected.has(k) && this.rejects.get(k)?.source === source) this.rejects.delete(k);
    }
    for (const [k, reason] of rejected) this.rejects.set(k, { source, reason });
    if (touched.size === 0) return;
    const keys = [...touched].sort().map((k) => configKey('Secret', k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)));
    for (const l of this.listeners) l(keys);
  }

  status(): CredentialRegistryStatus {
    return {
      sources: Object.fromEntries([...this.sources].map(([s, m]) => [s, m.size])),
      secrets: [...this.sources].flatMap(([source, m]) =>
        [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([secret, c]) => ({ secret, source, certificate: !!c.certificateChain, caCertificate: !!c.caCertificate })),
      ),
      rejected: [...this.rejects].map(([secret, r]) => ({ secret, ...r })),
    };
  }
}

/** When the Secret an SDS name points to was refused, that reason beats "no Secret". */
function parseRejected(name: string, namespace: string, rejects: ReadonlyMap<string, { source: string; reason: string }>): string | undefined {
  const bare = name.startsWith('kubernetes://') ? name.slice('kubernetes://'.length) : name;
  const key = `${namespace}/${bare.includes('/') ? bare.slice(bare.indexOf('/') + 1) : bare}`;
  const r = rejects.get(key) ?? rejects.get(key.replace(/-cacert$/, ''));
  return r ? `Secret ${key.replace(/-cacert$/, '')} was refused (${r.reason})` : undefined;
}
