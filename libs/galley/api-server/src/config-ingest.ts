// The ingest path: validation first, then the store, for every entrance.
// Config that bypassed the webhook (or came from a file) is refused here too.
import type { Resource, ResourceRef } from '@sextant/config-model';
import type { BatchOp, ConfigStore, WriteOptions, WriteResult } from '@sextant/config-store';
import { silentLogger, type Logger } from '@sextant/util';
import type { InputFile, ValidationIssue } from '@sextant/validation';
import { decodeFiles } from '@sextant/validation';
import { ConfigInvalidError, requestInvalid } from './errors';
import { admitObject, isForeignDocument, validateManifests, type ManifestValidation } from './manifest-validation';

/** The store, or a GALLEY_UNAVAILABLE error while NATS is not connected. */
export type StoreProvider = () => ConfigStore;

export interface ApplyOutcome extends WriteResult {
  warnings: ValidationIssue[];
  skipped: ValidationIssue[];
}

export interface ConfigIngestOptions {
  store: StoreProvider;
  logger?: Logger;
  defaultNamespace?: string;
}

export class ConfigIngest {
  readonly logger: Logger;

  constructor(private readonly opts: ConfigIngestOptions) {
    this.logger = opts.logger ?? silentLogger();
  }

  get store(): ConfigStore {
    return this.opts.store();
  }

  validate(inputs: readonly InputFile[]): ManifestValidation {
    return validateManifests(inputs, { defaultNamespace: this.opts.defaultNamespace });
  }

  /** Validates every document, then writes them as one atomic batch; refuses all if one is invalid. */
  async apply(inputs: readonly InputFile[], opts: WriteOptions = {}): Promise<ApplyOutcome> {
    const checked = this.validate(inputs);
    if (!checked.valid) throw new ConfigInvalidError(checked.errors, checked.warnings);
    if (checked.resources.length === 0 && checked.skipped.length === 0) throw requestInvalid('the manifest holds no documents');
    const result = checked.resources.length ? await this.store.apply(checked.resources.map((d) => d.resource), opts) : { dryRun: !!opts.dryRun, results: [] };
    return { ...result, warnings: checked.warnings, skipped: checked.skipped };
  }

  /** Writes ops whose resources are validated already (file and Kubernetes sources). */
  write(ops: readonly BatchOp[], opts: WriteOptions = {}): Promise<WriteResult> {
    return this.store.write(ops, opts);
  }

  /** Deletes what the documents name (kind, namespace, name), atomically. Only the envelope is read. */
  async deleteManifest(inputs: readonly InputFile[], opts: WriteOptions & { ignoreMissing?: boolean } = {}): Promise<WriteResult> {
    const decoded = decodeFiles(inputs);
    if (decoded.errors.length) throw new ConfigInvalidError(decoded.errors);
    const refs: ResourceRef[] = [];
    for (const d of decoded.documents) {
      if (isForeignDocument(d.value)) continue;
      refs.push(this.refOf(d.value, `${d.file}#${d.index}`));
    }
    if (!refs.length) throw requestInvalid('the manifest names no Istio resources to delete');
    return this.store.delete(refs, opts);
  }

  /** For rollback: validates a stored resource again and returns its internal form. */
  admit = (resource: Resource): Resource => admitObject(resource, { file: 'rollback' }, this.opts.defaultNamespace);

  private refOf(value: Record<string, unknown>, where: string): ResourceRef {
    const kind = typeof value['kind'] === 'string' ? value['kind'] : '';
    const meta = (value['metadata'] ?? {}) as Record<string, unknown>;
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const namespace = typeof meta['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : (this.opts.defaultNamespace ?? 'default');
    if (!kind || !name) throw requestInvalid(`${where}: a document to delete needs kind and metadata.name`);
    return { kind, namespace, name };
  }
}

