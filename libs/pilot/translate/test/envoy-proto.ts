// Strict Envoy checks over the protos translation emits (shared helper in @sextant/proto/testing).
import { strictEnvoyChecker } from '@sextant/proto/testing';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '../src/type-urls';

export { RESOURCE_TYPES } from '@sextant/proto/testing';
export const { encodeEnvoy, envoyProblems } = strictEnvoyChecker(ENVOY_PROTOS_FOR_TRANSLATION);
