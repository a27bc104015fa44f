// @sextant/galley-api: Galley's entrances. The config API (gRPC and its REST
// mirror), the --config-dir file source, the Kubernetes source, the
// validating admission webhook; all of them through one validation path.
export { validateManifests, admitObject, isForeignDocument, type ManifestValidation, type ManifestOptions } from './manifest-validation';
export { ConfigIngest, type ConfigIngestOptions, type ApplyOutcome, type StoreProvider } from './config-ingest';
export { NatsStoreProvider, type StoreProviderOptions } from './store-provider';
export { configServiceHandlers, toGrpcError, resourceMessage } from './config-service';
export { ConfigClient, ConfigCallError, toCallError } from './config-client';
export { registerRestRoutes, restError, type RestError } from './rest-routes';
export { registerGalleyDebugHandlers, type GalleyDebugSources } from './debug-handlers';
export { FileSource, type FileSourceOptions, type FileState, type FileStatus } from './file-source';
export { KubeSource, KUBERNETES_FIELD_MANAGER, userObject, type KubeSourceOptions, type KubeSourceStatus } from './kube-source';
export { AdmissionWebhook, reviewAdmission, WEBHOOK_PATHS, type AdmissionReview, type AdmissionResponse, type AdmissionWebhookOptions } from './admission-webhook';
export { resolveKind, requireKind, resolveRef, parseRevision } from './request-refs';
export { toFieldError, readFieldErrors, addFieldErrors, FIELD_ERRORS_METADATA, type FieldError } from './field-errors';
export { GalleyApiError, ConfigInvalidError, GALLEY_API_ERROR_CODES, type GalleyApiErrorCode } from './errors';
