// How Galley keeps a credential Secret in `sextant_config`: the envelope of
// every stored resource (apiVersion, kind, metadata, spec), with the Secret's
// `type` and base64 `data` under `spec` (the store versions and compares
// `spec`). `kubeSecretOf` turns it back into the Kubernetes shape, so the one
// check (`checkSecretObject`) reads both.
import { checkSecretObject, type CheckedSecret, type CheckOptions, type CredentialSecretSpec, type SecretCheck } from './secret-check';

export interface SecretMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

/** A credential Secret in the stored (internal) form. */
export interface StoredSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: SecretMeta;
  spec: CredentialSecretSpec;
  status?: unknown;
}

export function storedSecretOf(s: CheckedSecret): StoredSecret {
  const metadata: SecretMeta = { name: s.name, namespace: s.namespace };
  if (s.labels) metadata.labels = s.labels;
  if (s.annotations) metadata.annotations = s.annotations;
  return { apiVersion: 'v1', kind: 'Secret', metadata, spec: s.spec };
}

/** The Kubernetes shape (type, data) of a stored Secret; user metadata only. */
export function kubeSecretOf(stored: { metadata: SecretMeta; spec?: unknown }): Record<string, unknown> {
  const spec = (typeof stored.spec === 'object' && stored.spec !== null ? stored.spec : {}) as Partial<CredentialSecretSpec>;
  const { name, namespace, labels, annotations } = stored.metadata;
  const metadata: Record<string, unknown> = { name };
  if (namespace) metadata['namespace'] = namespace;
  if (labels) metadata['labels'] = labels;
  if (annotations) metadata['annotations'] = annotations;
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: spec.type, data: spec.data };
}

/** Checks a stored Secret again (Pilot's feed, Galley's rollback). */
export function checkStoredSecret(stored: unknown, opts: CheckOptions = {}): SecretCheck {
  if (typeof stored !== 'object' || stored === null || typeof (stored as { metadata?: unknown }).metadata !== 'object') {
    return { errors: [{ path: 'metadata', reason: 'a stored Secret needs metadata' }] };
  }
  return checkSecretObject(kubeSecretOf(stored as StoredSecret), opts);
}
