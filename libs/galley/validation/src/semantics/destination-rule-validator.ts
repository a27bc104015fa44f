// DestinationRule semantics: host, subsets, traffic policies, exportTo and
// the workload selector.
import type { DestinationRuleSpec } from '@sextant/config-model';
import { checkExportTo, checkSelectorLabels, checkSubsetName, checkWorkloadSelector } from '../checks/common';
import { checkWildcardDomain } from '../checks/hosts';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';
import type { SemanticInput } from './semantic-input';
import { checkTrafficPolicy } from './traffic-policy-validator';

export function validateDestinationRule(f: Findings, { spec, namespace }: SemanticInput<DestinationRuleSpec>): void {
  f.check('spec.host', 'INVALID_HOST', checkWildcardDomain(spec.host));
  checkTrafficPolicy(f, 'spec.trafficPolicy', spec.trafficPolicy, namespace);
  const names = new Set<string>();
  spec.subsets?.forEach((subset, i) => {
    const p = itemPath('spec.subsets', i);
    const name = subset.name ?? '';
    if (names.has(name)) f.error(at(p, 'name'), 'DUPLICATE', `duplicate subset names: ${name}`);
    names.add(name);
    f.check(at(p, 'name'), 'INVALID_VALUE', checkSubsetName(name));
    checkSelectorLabels(f, at(p, 'labels'), subset.labels);
    checkTrafficPolicy(f, at(p, 'trafficPolicy'), subset.trafficPolicy, namespace);
  });
  const exported = checkExportTo(f, 'spec.exportTo', namespace, spec.exportTo, false);
  if (spec.workloadSelector && exported.size > 0) {
    if (!exported.has(namespace)) f.error('spec.exportTo', 'INVALID_EXPORT_TO', 'destination rule with workload selector cannot have exportTo beyond current namespace');
    else if (exported.size > 1) f.error('spec.exportTo', 'INVALID_EXPORT_TO', 'destination rule with workload selector cannot have multiple entries in exportTo');
  }
  checkWorkloadSelector(f, 'spec.workloadSelector', spec.workloadSelector);
}
