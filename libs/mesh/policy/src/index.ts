// @sextant/policy: the Envoy RBAC and jwt_authn subset Pilot emits and the
// proxy enforces, as typed objects, plus its pure reference evaluator
// (matchers, RBAC rules and filters, the jwt_authn requirement tree, and a
// whole-listener simulation). Shared by Pilot (builders, behaviour tests) and
// the proxy (decoders, filters), so both read one definition. Pure: no I/O.
export type * from './rbac-types';
export * from './type-urls';
export * from './matchers';
export * from './envoy-match';
export * from './rbac-evaluator';
export * from './jwt-evaluator';
export * from './security-simulator';
