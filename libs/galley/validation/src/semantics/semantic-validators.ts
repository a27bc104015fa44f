// The semantic validator of each kind. Every kind in the list of kinds has one.
import type { IstioKind, IstioSpecs } from '@sextant/config-model';
import type { Findings } from '../findings';
import { validateAuthorizationPolicy } from './authorization-policy-validator';
import { validateDestinationRule } from './destination-rule-validator';
import { validateGateway } from './gateway-validator';
import { validatePeerAuthentication } from './peer-authentication-validator';
import { validateRequestAuthentication } from './request-authentication-validator';
import type { SemanticInput } from './semantic-input';
import { validateServiceEntry } from './service-entry-validator';
import { validateSidecar } from './sidecar-validator';
import { validateVirtualService } from './virtual-service-validator';
import { validateWorkloadEntry } from './workload-entry-validator';

export type SemanticValidator<K extends IstioKind> = (f: Findings, input: SemanticInput<IstioSpecs[K]>) => void;

export const SEMANTIC_VALIDATORS: { [K in IstioKind]: SemanticValidator<K> } = {
  VirtualService: validateVirtualService,
  DestinationRule: validateDestinationRule,
  Gateway: validateGateway,
  ServiceEntry: validateServiceEntry,
  Sidecar: validateSidecar,
  WorkloadEntry: validateWorkloadEntry,
  PeerAuthentication: validatePeerAuthentication,
  AuthorizationPolicy: validateAuthorizationPolicy,
  RequestAuthentication: validateRequestAuthentication,
};
