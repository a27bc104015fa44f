// Error codes of @sextant/pilot-model. Building a PushContext never throws for
// bad user config (that is skipped and reported); these are programming and
// input-shape errors.
import { SextantError } from '@sextant/util';

export const MODEL_ERROR_CODES = {
  MODEL_PROXY_ID_INVALID: 'a proxy id has the Istio four-part form but a part is malformed (type~ip~id~domain)',
  MODEL_DURATION_INVALID: 'a duration string is not Istio/protobuf duration syntax (e.g. 1.5s, 100ms, 1h)',
  MODEL_INPUT_INVALID: 'a PushContext input is not shaped as documented (e.g. a service without a hostname)',
} as const;
export type ModelErrorCode = keyof typeof MODEL_ERROR_CODES;

export class ModelError extends SextantError {
  declare readonly code: ModelErrorCode;
  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ModelError';
  }
}
