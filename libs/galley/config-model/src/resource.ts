// The envelope every configuration resource travels in, as Kubernetes and
// Istio write it: apiVersion, kind, metadata, spec, status.

export interface ObjectMeta {
  name: string;
  /** Always set on a validated namespaced resource (defaulted when absent). */
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Opaque; in Sextant the NATS KV revision of the stored entry. */
  resourceVersion?: string;
  /** Incremented by the store each time the spec changes. */
  generation?: number;
  /** RFC 3339, set by the store on creation. */
  creationTimestamp?: string;
  uid?: string;
}

/** Condition status values, as in Kubernetes. */
export const ConditionStatus = {
  True: 'True',
  False: 'False',
  Unknown: 'Unknown',
} as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** Condition types Sextant sets. Other parts may add their own strings. */
export const ConditionType = {
  /** The resource was validated and stored. */
  Accepted: 'Accepted',
  /** The resource was refused (validation, or a later check); reason says why. */
  Rejected: 'Rejected',
  /** Proxies acknowledged the configuration built from this resource. */
  Reconciled: 'Reconciled',
} as const;

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** One CamelCase word, e.g. `ValidationFailed`. */
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string;
  observedGeneration?: number | string;
}

/** Istio's analysis message as it appears in `status.validationMessages`. */
export interface ValidationMessage {
  level?: 'UNKNOWN' | 'ERROR' | 'WARNING' | 'INFO';
  type?: { code?: string; name?: string };
  documentationUrl?: string;
}

export interface ResourceStatus {
  conditions?: Condition[];
  observedGeneration?: number | string;
  validationMessages?: ValidationMessage[];
  /** Istio's status is open-ended; unknown fields are preserved. */
  [field: string]: unknown;
}

export interface Resource<Spec = unknown, Kind extends string = string> {
  apiVersion: string;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: ResourceStatus;
}

/** Identity of a resource: kind, namespace ('' when cluster-scoped) and name. */
export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  observedGeneration?: number | string;
}

/**
 * Returns a copy of `resource` whose status holds `condition`, replacing any
 * condition of the same type. lastTransitionTime changes only when the
 * condition's status changes. Nothing is mutated.
 */
export function withCondition<R extends Resource>(resource: R, condition: ConditionInput, now: Date = new Date()): R {
  const conditions = resource.status?.conditions ?? [];
  const previous = conditions.find((c) => c.type === condition.type);
  const transitioned = !previous || previous.status !== condition.status;
  const next: Condition = {
    ...condition,
    lastTransitionTime: transitioned ? now.toISOString() : previous.lastTransitionTime,
  };
  const others = conditions.filter((c) => c.type !== condition.type);
  return { ...resource, status: { ...resource.status, conditions: [...others, next] } };
}

export function getCondition(resource: Resource, type: string): Condition | undefined {
  return resource.status?.conditions?.find((c) => c.type === type);
}

/** Marks a resource as refused, e.g. by validation: `Rejected=True` with the reason. */
export function withRejected<R extends Resource>(resource: R, reason: string, message: string, now?: Date): R {
  return withCondition(
    resource,
    { type: ConditionType.Rejected, status: ConditionStatus.True, reason, message, observedGeneration: resource.metadata.generation },
    now,
  );
}
