// @sextant/config-store: validated Istio resources in the `sextant_config`
// NATS KV bucket (one entry per resource, the KV revision is its
// resourceVersion), with atomic batches and batch-aware watches.
export {
  ConfigStore,
  type ConfigStoreOptions,
  type StoredResource,
  type BatchOp,
  type WriteOptions,
  type WriteResult,
  type OpResult,
  type HistoryItem,
  type RollbackOptions,
} from './config-store';
export { DEFAULT_BATCH_TIMEOUT_MS, type ChangeType, type ConfigChange, type ConfigUpdate, type ConfigWatch, type WatchOptions } from './batch-watcher';
export type { ApplyAction } from './document-builder';
export {
  BATCH_ANNOTATION,
  FIELD_MANAGER_ANNOTATION,
  STORE_ANNOTATIONS,
  storageKey,
  refFromKey,
  refKey,
  parseBatchMark,
  decodeEntry,
  type BatchMark,
  type ConfigEntry,
} from './entry-codec';
export { ConfigStoreError, STORE_ERROR_CODES, type StoreErrorCode } from './errors';
export { BatchAssembler, type AssemblerOptions, type ReleaseInfo } from './batch-assembler';
