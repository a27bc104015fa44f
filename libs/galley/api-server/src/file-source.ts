// --config-dir: every YAML/JSON file in a directory is config. Each file is
// applied as one atomic batch at start and whenever it changes (fs.watch,
// debounced). A file that turns invalid is reported and its last good
// resources stay; a file that is removed takes its resources with it. What
// a file wrote carries the field manager `file:<name>`, so resources of files
// removed while Galley was down are cleaned up at the next start.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ResourceRef } from '@sextant/config-model';
import { FIELD_MANAGER_ANNOTATION, refKey, type BatchOp } from '@sextant/config-store';
import { errorMessage, type Logger } from '@sextant/util';
import { formatIssue } from '@sextant/validation';
import type { ConfigIngest } from './config-ingest';

export interface FileSourceOptions {
  dir: string;
  ingest: ConfigIngest;
  logger: Logger;
  /** Quiet time after a change before files are read again. Default 200 ms. */
  debounceMs?: number;
  /** Retry interval for files that could not be written (NATS down). Default 2 s. */
  retryMs?: number;
}

export type FileStatus = 'applied' | 'invalid' | 'failed';

export interface FileState {
  file: string;
  status: FileStatus;
  /** Resources the file last applied successfully. */
  resources: string[];
  /** Validation errors (invalid) or the write error (failed), one line each. */
  errors: string[];
  updatedAt: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const MANAGER_PREFIX = 'file:';

interface Tracked {
  hash: string;
  status: FileStatus;
  refs: ResourceRef[];
  errors: string[];
  updatedAt: string;
}

const sameRef = (a: ResourceRef, b: ResourceRef) => a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

export class FileSource {
  private readonly files = new Map<string, Tracked>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private pruned = false;

  constructor(private readonly opts: FileSourceOptions) {}

  /** Applies every file now, then follows changes. */
  async start(): Promise<void> {
    await this.sync();
    this.watcher = watch(this.opts.dir, () => this.schedule());
    this.watcher.on('error', (err) => this.opts.logger.error({ err: err.message, dir: this.opts.dir }, 'watching the config directory failed'));
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearTimeout(this.timer);
    clearTimeout(this.retry);
  }

  status(): { dir: string; files: FileState[] } {
    const files = [...this.files.entries()].map(([file, t]) => ({ file, status: t.status, resources: t.refs.map(refKey), errors: t.errors, updatedAt: t.updatedAt }));
    return { dir: this.opts.dir, files: files.sort((a, b) => a.file.localeCompare(b.file)) };
  }

  /** Reads the directory and applies what changed (serialised with other syncs). */
  sync(): Promise<void> {
    this.running = this.running.then(() => this.syncOnce()).catch((err: unknown) => this.opts.logger.error({ err: errorMessage(err) }, 'config directory sync failed'));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), this.opts.debounceMs ?? 200);
  }

  private async syncOnce(): Promise<void> {
    if (this.stopped) return;
    const names = (await readdir(this.opts.dir, { withFileTypes: true })).filter((d) => d.isFile() && EXTENSIONS.has(extname(d.name).toLowerCase())).map((d) => d.name);
    for (const name of names.sort()) {
      let content: Buffer;
      try {
        content = await readFile(join(this.opts.dir, name));
      } catch {
        continue; // removed between readdir and read: the next event handles it
      }
      const hash = createHash('sha256').update(content).digest('hex');
      const tracked = this.files.get(name);
      if (tracked && tracked.hash === hash && tracked.status !== 'failed') continue;
      await this.applyFile(name, content, hash);
    }
    for (const name of [...this.files.keys()]) if (!names.includes(name)) await this.removeFile(name);
    if (!this.pruned && [...this.files.values()].every((t) => t.status !== 'failed')) await this.pruneOrphans();
    this.scheduleRetry();
  }

  private async applyFile(name: string, content: Buffer, hash: string): Promise<void> {
    const log = this.opts.logger.child({ file: name });
    const prev = this.files.get(name);
    const checked = this.opts.ingest.validate([{ file: name, content }]);
    const now = new Date().toISOString();
    if (!checked.valid) {
      const errors = checked.errors.map(formatIssue);
      log.warn({ errors }, 'config file is invalid; its last good resources stay');
      this.files.set(name, { hash, status: 'invalid', refs: prev?.refs ?? [], errors, updatedAt: now });
      return;
    }
    const resources = checked.resources.map((d) => d.resource);
    const refs = resources.map((r) => ({ kind: r.kind, namespace: r.metadata.namespace ?? '', name: r.metadata.name }));
    const gone = (prev?.refs ?? []).filter((r) => !refs.some((x) => sameRef(x, r)) && !this.claimedByOther(r, name));
    const ops: BatchOp[] = [...resources.map((resource) => ({ op: 'apply' as const, resource })), ...gone.map((ref) => ({ op: 'delete' as const, ref, ignoreMissing: true }))];
    try {
      const out = ops.length ? await this.opts.ingest.write(ops, { fieldManager: MANAGER_PREFIX + name }) : undefined;
      const changed = out?.results.filter((r) => r.action !== 'unchanged' && r.action !== 'not-found').length ?? 0;
      if (changed) log.info({ resources: refs.length, changed, removed: gone.length, batch: out?.batch }, 'config file applied');
      this.files.set(name, { hash, status: 'applied', refs, errors: [], updatedAt: now });
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'config file could not be written; will retry');
      this.files.set(name, { hash, status: 'failed', refs: prev?.refs ?? [], errors: errorMessage(err).split('\n'), updatedAt: now });
    }
  }

  private async removeFile(name: string): Promise<void> {
    const tracked = this.files.get(name)!;
    const refs = tracked.refs.filter((r) => !this.claimedByOther(r, name));
    try {
      if (refs.length) await this.opts.ingest.store.delete(refs, { ignoreMissing: true, fieldManager: MANAGER_PREFIX + name });
      this.files.delete(name);
      this.opts.logger.info({ file: name, removed: refs.length }, 'config file removed; its resources were deleted');
    } catch (err) {
      this.opts.logger.error({ file: name, err: errorMessage(err) }, 'resources of a removed config file could not be deleted; will retry');
      tracked.status = 'failed';
      tracked.hash = '';
      tracked.errors = errorMessage(err).split('\n');
    }
  }

  private claimedByOther(ref: ResourceRef, name: string): boolean {
    for (const [other, t] of this.files) if (other !== name && t.refs.some((r) => sameRef(r, ref))) return true;
    return false;
  }

  /** Once, after the first full sync: delete what files wrote that no file holds any more. */
  private async pruneOrphans(): Promise<void> {
    const orphans: ResourceRef[] = [];
    for (const s of await this.opts.ingest.store.list()) {
      const manager = s.resource.metadata.annotations?.[FIELD_MANAGER_ANNOTATION];
      if (!manager?.startsWith(MANAGER_PREFIX)) continue;
      const t = this.files.get(manager.slice(MANAGER_PREFIX.length));
      if (t?.status === 'invalid') continue;
      if (!t || !t.refs.some((r) => sameRef(r, s.ref))) orphans.push(s.ref);
    }
    if (orphans.length) {
      await this.opts.ingest.store.delete(orphans, { ignoreMissing: true });
      this.opts.logger.info({ removed: orphans.map(refKey) }, 'deleted resources of config files that are gone');
    }
    this.pruned = true;
  }

  private scheduleRetry(): void {
    clearTimeout(this.retry);
    if (this.stopped || ![...this.files.values()].some((t) => t.status === 'failed')) return;
    this.retry = setTimeout(() => void this.sync(), this.opts.retryMs ?? 2_000);
  }
}
