// Strict Envoy checks over translation's protos plus security's (shared helper in @sextant/proto/testing).
import { strictEnvoyChecker } from '@sextant/proto/testing';
import { ENVOY_PROTOS_FOR_TRANSLATION } from '@sextant/translate';
import { ENVOY_PROTOS_FOR_SECURITY } from '../src/type-urls';

export { RESOURCE_TYPES } from '@sextant/proto/testing';
export const { encodeEnvoy, envoyProblems } = strictEnvoyChecker([...ENVOY_PROTOS_FOR_TRANSLATION, ...ENVOY_PROTOS_FOR_SECURITY]);
