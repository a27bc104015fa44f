// @sextant/config-model: Istio's configuration API as TypeScript data.
export {
  ISTIO_KINDS,
  findKind,
  isIstioKind,
  lookupKind,
  matchKind,
  parseApiVersion,
  apiVersionOf,
  type KindInfo,
  type IstioKind,
  type KindMatch,
  type ApiVersionParts,
} from './kinds';
export {
  ConditionStatus,
  ConditionType,
  withCondition,
  withRejected,
  getCondition,
  type Resource,
  type ResourceRef,
  type ObjectMeta,
  type ResourceStatus,
  type Condition,
  type ConditionInput,
  type ValidationMessage,
} from './resource';
export type * from './generated/istio-api';
export type * from './istio-resources';
export {
  DEFAULT_DOMAIN_SUFFIX,
  resourceKey,
  parseResourceKey,
  refOf,
  keyOf,
  resolveHost,
  isShortHost,
  hostsOverlap,
  hostIsSubsetOf,
} from './identity';
export {
  normalizeResource,
  DEFAULT_NAMESPACE,
  FIELD_ALIASES,
  REMOVED_FIELDS,
  VERSION_CONVERTERS,
  findRemovedFields,
  pruneRemovedFields,
  type RemovedField,
  type RemovedFieldUse,
  type NormalizeOptions,
  type FieldAlias,
  type SpecConverter,
  type SpecObject,
} from './normalize';
