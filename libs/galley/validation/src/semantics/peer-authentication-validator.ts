// PeerAuthentication semantics: port-level mTLS needs a workload selector.
import type { PeerAuthenticationSpec } from '@sextant/config-model';
import { checkWorkloadSelector } from '../checks/common';
import type { Findings } from '../findings';
import { keyPath } from '../issue';
import type { SemanticInput } from './semantic-input';

export function validatePeerAuthentication(f: Findings, { spec }: SemanticInput<PeerAuthenticationSpec>): void {
  const ports = Object.keys(spec.portLevelMtls ?? {});
  const selects = Object.keys(spec.selector?.matchLabels ?? {}).length > 0;
  if (!selects && ports.length > 0) f.error('spec.portLevelMtls', 'CONFLICT', 'mesh/namespace peer authentication cannot have port level mTLS');
  if (spec.portLevelMtls !== undefined && ports.length === 0) f.error('spec.portLevelMtls', 'MISSING', 'port level mTLS, if defined, must have at least one element');
  for (const port of ports) {
    const n = Number(port);
    if (!/^[0-9]+$/.test(port) || n < 1 || n > 65535) f.error(keyPath('spec.portLevelMtls', port), 'INVALID_PORT', 'port must be in range 1..65535');
  }
  checkWorkloadSelector(f, 'spec.selector', spec.selector);
}
