// SPIFFE IDs in the mesh's shape: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
import { fail, ok, type Result } from '@sextant/util';
import { refusal, type Refusal } from './errors';

export interface WorkloadIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

// Trust domain: lowercase letters, digits, dots, dashes, underscores (SPIFFE spec).
const TRUST_DOMAIN_RE = /^[a-z0-9._-]{1,255}$/;
// Namespace: a Kubernetes DNS label.
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Service account: a Kubernetes DNS subdomain.
const SERVICE_ACCOUNT_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Checks each part; errors name the part and the rule. */
export function checkIdentity(id: WorkloadIdentity): Result<WorkloadIdentity, Refusal> {
  const errors: Refusal[] = [];
  if (!TRUST_DOMAIN_RE.test(id.trustDomain)) errors.push(refusal('SPIFFE_ID_INVALID', `trust domain ${JSON.stringify(id.trustDomain)} must be 1-255 of [a-z0-9._-]`));
  if (!NAMESPACE_RE.test(id.namespace)) errors.push(refusal('SPIFFE_ID_INVALID', `namespace ${JSON.stringify(id.namespace)} must be a DNS label (lowercase, digits, '-', at most 63)`));
  if (!SERVICE_ACCOUNT_RE.test(id.serviceAccount)) errors.push(refusal('SPIFFE_ID_INVALID', `service account ${JSON.stringify(id.serviceAccount)} must be a DNS subdomain (lowercase, digits, '-', '.')`));
  return errors.length ? fail(...errors) : ok(id);
}

export function formatSpiffeId(id: WorkloadIdentity): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

const SPIFFE_RE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function parseSpiffeId(uri: string): Result<WorkloadIdentity, Refusal> {
  const m = SPIFFE_RE.exec(uri);
  if (!m) return fail(refusal('SPIFFE_ID_INVALID', `${JSON.stringify(uri)} is not spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`));
  return checkIdentity({ trustDomain: m[1], namespace: m[2], serviceAccount: m[3] });
}
