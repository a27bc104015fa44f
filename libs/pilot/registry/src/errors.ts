// Error codes of @sextant/registry.
import { SextantError } from '@sextant/util';

export const REGISTRY_ERROR_CODES = {
  REGISTRY_VIP_EXHAUSTED: 'every address of the auto-allocation range is taken',
  REGISTRY_NOT_STARTED: 'the registry was used before start() resolved',
  REGISTRY_SYNC_UNAVAILABLE: 'the backing store (NATS KV, Kubernetes API) could not be read; the registry retries',
  REGISTRY_CIDR_INVALID: 'the auto-allocation range is not an IPv4 CIDR of /8 to /30',
} as const;
export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

export class RegistryError extends SextantError {
  declare readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}
