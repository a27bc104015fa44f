// The analyzers, in one list (the order messages are produced in; output is
// sorted anyway), and `analyze`, which runs them.
import { runAnalyzers, type Analyzer, type AnalyzeOptions } from './analyzer';
import {
  caCertificateAnalyzer,
  mergedDestinationRuleAnalyzer,
  mtlsConflictAnalyzer,
  subsetWorkloadAnalyzer,
  unknownHostAnalyzer,
} from './destination-rule-analyzers';
import { conflictingGatewayAnalyzer, gatewayCertificateAnalyzer, gatewaySecretAnalyzer, gatewayWorkloadAnalyzer } from './gateway-analyzers';
import type { AnalysisInput } from './input';
import type { Message } from './message';
import { annotationAnalyzer, duplicateResourceAnalyzer, serviceEntryAddressAnalyzer } from './metadata-analyzers';
import {
  authorizationPolicyAnalyzer,
  peerAuthenticationSelectorAnalyzer,
  requestAuthenticationSelectorAnalyzer,
  sidecarDefaultSelectorAnalyzer,
  sidecarSelectorAnalyzer,
} from './policy-analyzers';
import { gatewayMergeAnalyzer, routeShadowAnalyzer } from './route-shadow-analyzers';
import {
  conflictingMeshHostsAnalyzer,
  destinationHostAnalyzer,
  destinationSubsetAnalyzer,
  gatewayReferenceAnalyzer,
  ingressSubsetAnalyzer,
  meshHostAnalyzer,
} from './virtual-service-analyzers';

export const ALL_ANALYZERS: readonly Analyzer[] = [
  duplicateResourceAnalyzer,
  annotationAnalyzer,
  destinationHostAnalyzer,
  destinationSubsetAnalyzer,
  gatewayReferenceAnalyzer,
  conflictingMeshHostsAnalyzer,
  meshHostAnalyzer,
  ingressSubsetAnalyzer,
  routeShadowAnalyzer,
  gatewayMergeAnalyzer,
  gatewayWorkloadAnalyzer,
  gatewaySecretAnalyzer,
  conflictingGatewayAnalyzer,
  gatewayCertificateAnalyzer,
  unknownHostAnalyzer,
  subsetWorkloadAnalyzer,
  caCertificateAnalyzer,
  mtlsConflictAnalyzer,
  mergedDestinationRuleAnalyzer,
  serviceEntryAddressAnalyzer,
  authorizationPolicyAnalyzer,
  peerAuthenticationSelectorAnalyzer,
  requestAuthenticationSelectorAnalyzer,
  sidecarSelectorAnalyzer,
  sidecarDefaultSelectorAnalyzer,
];

/**
 * Analyses Istio resources together with what is known of the registry.
 * Pure: no I/O, never throws for bad configuration (a failing analyzer
 * becomes an IST0001 message). Messages come sorted, errors first.
 */
export function analyze(input: AnalysisInput, options: AnalyzeOptions = {}): Message[] {
  return runAnalyzers(input, options.analyzers ?? ALL_ANALYZERS, options);
}

export function findAnalyzer(name: string): Analyzer | undefined {
  return ALL_ANALYZERS.find((a) => a.name === name);
}
