// Original file: protos/sextant/galley/v1/config.proto

import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from '../../../sextant/galley/v1/ResourceRef';
import type { Long } from '@grpc/proto-loader';

export interface Resource {
  'ref'?: (_sextant_galley_v1_ResourceRef | null);
  /**
   * The resource as JSON (apiVersion, kind, metadata, spec, status).
   */
  'json'?: (string);
  /**
   * The KV revision that stored it.
   */
  'resourceVersion'?: (number | string | Long);
}

export interface Resource__Output {
  'ref': (_sextant_galley_v1_ResourceRef__Output | null);
  /**
   * The resource as JSON (apiVersion, kind, metadata, spec, status).
   */
  'json': (string);
  /**
   * The KV revision that stored it.
   */
  'resourceVersion': (string);
}
