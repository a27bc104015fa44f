// SPIFFE IDs in the mesh's shape: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.

export interface SpiffeIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const TRUST_DOMAIN_RE = /^[a-z0-9._-]{1,255}$/;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SPIFFE_RE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** Formats an identity; throws naming the part that is not valid. */
export function spiffeIdOf(id: SpiffeIdentity): string {
  if (!TRUST_DOMAIN_RE.test(id.trustDomain)) throw new Error(`trust domain ${JSON.stringify(id.trustDomain)} must be 1-255 of [a-z0-9._-]`);
  if (!NAMESPACE_RE.test(id.namespace)) throw new Error(`namespace ${JSON.stringify(id.namespace)} must be a DNS label (lowercase, digits, '-', at most 63)`);
  if (!SERVICE_ACCOUNT_RE.test(id.serviceAccount)) throw new Error(`service account ${JSON.stringify(id.serviceAccount)} must be a DNS subdomain (lowercase, digits, '-', '.')`);
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** The parts of a mesh SPIFFE ID, or undefined when it is not one. */
export function parseSpiffeUri(uri: string): SpiffeIdentity | undefined {
  const m = SPIFFE_RE.exec(uri);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] } : undefined;
}
