// The CA's state on disk, under <dataDir>/ca (mode 0700):
//   roots/<generation>/root-cert.pem   a self-signed root
//   roots/<generation>/root-key.pem    its key (mode 0600)
//   state.json                         the current generation and the trust bundle
// Self-signed mode creates a root at first start, reloads it afterwards and
// can rotate to a new one. Plugged-in mode signs with the operator's files
// (see plugged-ca) and only keeps the bundle here, so replacing the plugged
// root between restarts also leaves the old root in the bundle for the overlap.
// Every write is a whole file renamed into place; a crash leaves the old state.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from './errors';
import { subjectText } from './chain-verifier';
import type { CaKeyType } from './keys';
import { loadPluggedCa } from './plugged-ca';
import { createSelfSignedRoot } from './root-ca';
import { SigningAuthority } from './signing-authority';
import { activateRoot, emptyBundle, pruneBundle, type TrustBundle } from './trust-bundle';

export interface CaStoreOptions {
  /** The service's data dir; the CA keeps its files in <dataDir>/ca. */
  dataDir: string;
  trustDomain: string;
  /** A cacerts directory: sign with the operator's CA instead of a self-signed root. */
  pluggedDir?: string;
  rootKeyType: CaKeyType;
  rootTtlMs: number;
  /** How long a replaced root stays in the trust bundle. */
  overlapMs: number;
  now?: () => Date;
}

export type CaMode = 'self-signed' | 'plugged';

/** What happened while opening or changing the store, for the caller to log. */
export interface CaStoreEvent {
  event: 'root-created' | 'root-loaded' | 'plugged-loaded' | 'root-rotated' | 'bundle-changed';
  detail: string;
}

interface StateFile {
  schema: 1;
  /** Self-signed mode: the generation directory that signs now. */
  currentRoot?: string;
  bundle: TrustBundle;
}

export const CA_DIR = 'ca';
export const ROOT_CERT_FILE = 'root-cert.pem';
export const ROOT_KEY_FILE = 'root-key.pem';

export class CaStore {
  readonly mode: CaMode;
  readonly dir: string;
  private current: SigningAuthority;
  private state: StateFile;
  private readonly now: () => Date;

  private constructor(private readonly opts: CaStoreOptions, readonly events: CaStoreEvent[]) {
    this.now = opts.now ?? (() => new Date());
    this.mode = opts.pluggedDir ? 'plugged' : 'self-signed';
    this.dir = join(opts.dataDir, CA_DIR);
    mkdirSync(join(this.dir, 'roots'), { recursive: true, mode: 0o700 });
    this.state = this.readState();
    this.current = this.loadAuthority();
    this.settleBundle();
  }

  /** Loads (or, the first time, creates) the CA. Throws PkiError naming the file and the problem. */
  static open(opts: CaStoreOptions): CaStore {
    return new CaStore(opts, []);
  }

  get authority(): SigningAuthority {
    return this.current;
  }

  get bundle(): TrustBundle {
    return this.state.bundle;
  }

  /** Self-signed mode: a new root signs from now on; the old one stays in the bundle for the overlap. */
  rotateRoot(): { previous: string; current: string } {
    if (this.mode !== 'self-signed') {
      throw new PkiError('CA_ROTATION_UNSUPPORTED_PRECONDITION', `the CA signs with the plugged-in files in ${this.opts.pluggedDir}; replace them and restart to change the root`);
    }
    const previous = this.current.root.fingerprint256;
    const generation = this.createRoot();
    this.current = this.loadGeneration(generation);
    this.state = { ...this.state, currentRoot: generation };
    this.settleBundle();
    this.record('root-rotated', `root ${generation} (${this.current.root.fingerprint256}) signs now; ${previous} stays trusted for ${this.opts.overlapMs} ms`);
    return { previous, current: this.current.root.fingerprint256 };
  }

  /** Drops retired or expired roots from the bundle; true when it changed. */
  prune(): boolean {
    const pruned = pruneBundle(this.state.bundle, this.now());
    if (pruned === this.state.bundle) return false;
    this.state = { ...this.state, bundle: pruned };
    this.writeState();
    this.record('bundle-changed', `bundle v${pruned.version}: ${pruned.anchors.length} root(s) after retirement`);
    return true;
  }

  /** Events since the last call (creation, loading, rotation, bundle changes). */
  drainEvents(): CaStoreEvent[] {
    return this.events.splice(0, this.events.length);
  }

  private record(event: CaStoreEvent['event'], detail: string): void {
    this.events.push({ event, detail });
  }

  private loadAuthority(): SigningAuthority {
    if (this.opts.pluggedDir) {
      const authority = loadPluggedCa(this.opts.pluggedDir, this.now());
      this.record('plugged-loaded', `signing with ${subjectText(authority.cert)} from ${this.opts.pluggedDir}; chain of ${authority.chain.length}`);
      return authority;
    }
    const generation = this.state.currentRoot;
    if (generation && existsSync(join(this.dir, 'roots', generation, ROOT_CERT_FILE))) {
      try {
        const authority = this.loadGeneration(generation);
        this.record('root-loaded', `root ${generation} (${authority.root.fingerprint256}) from ${join(this.dir, 'roots', generation)}`);
        return authority;
      } catch (err) {
        if (!(err instanceof PkiError) || err.code !== 'CA_CERT_EXPIRED') throw err;
        this.record('root-created', `the stored root expired (${err.message}); creating a new one`);
      }
    }
    const created = this.createRoot();
    this.state = { ...this.state, currentRoot: created };
    const authority = this.loadGeneration(created);
    this.record('root-created', `new self-signed root ${created} (${authority.root.fingerprint256}) in ${join(this.dir, 'roots', created)}`);
    return authority;
  }

  private loadGeneration(generation: string): SigningAuthority {
    const dir = join(this.dir, 'roots', generation);
    const certPath = join(dir, ROOT_CERT_FILE);
    const keyPath = join(dir, ROOT_KEY_FILE);
    for (const path of [certPath, keyPath]) {
      if (!existsSync(path)) throw new PkiError('CA_FILE_MISSING', `CA file ${path} does not exist (named by ${join(this.dir, 'state.json')})`);
    }
    const cert = readFileSync(certPath, 'utf8');
    return SigningAuthority.load(
      { key: readFileSync(keyPath, 'utf8'), cert, intermediates: [], root: cert },
      { key: keyPath, cert: certPath, root: certPath, intermediates: certPath },
      this.now(),
    );
  }

  private createRoot(): string {
    const now = this.now();
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const generation = `${stamp}-${randomBytes(3).toString('hex')}`;
    const pair = createSelfSignedRoot({
      keyType: this.opts.rootKeyType,
      ttlMs: this.opts.rootTtlMs,
      organization: this.opts.trustDomain,
      commonName: `Sextant root CA ${generation}`,
      now,
    });
    const dir = join(this.dir, 'roots', generation);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomic(join(dir, ROOT_KEY_FILE), pair.keyPem, 0o600);
    writeAtomic(join(dir, ROOT_CERT_FILE), pair.certPem, 0o644);
    return generation;
  }

  /** Puts the signing root first in the bundle, prunes, and saves when anything changed. */
  private settleBundle(): void {
    const before = this.state.bundle;
    const activated = activateRoot(before, this.current.rootPem, this.opts.overlapMs, this.now());
    const bundle = pruneBundle(activated, this.now());
    const stateChanged = bundle !== before || !existsSync(join(this.dir, 'state.json'));
    this.state = { ...this.state, bundle };
    if (stateChanged) this.writeState();
    if (bundle !== before) this.record('bundle-changed', `bundle v${bundle.version}: ${bundle.anchors.length} root(s)`);
  }

  private readState(): StateFile {
    const path = join(this.dir, 'state.json');
    if (!existsSync(path)) return { schema: 1, bundle: emptyBundle() };
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
      if (parsed.schema !== 1 || !parsed.bundle || !Array.isArray(parsed.bundle.anchors)) throw new Error('unknown layout');
      return parsed;
    } catch (err) {
      throw new PkiError('CA_STATE_CORRUPT', `CA state ${path} cannot be read (${(err as Error).message}); restore it from a backup or remove ${this.dir} to start a new root`, { cause: err });
    }
  }

  private writeState(): void {
    writeAtomic(join(this.dir, 'state.json'), JSON.stringify(this.state, null, 2) + '\n', 0o600);
  }
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}
