// Checks of fields several kinds share: exportTo, workload selectors, policy
// target references, selector labels, string matches, destinations.
import type {
  Destination,
  PolicyTargetReference,
  StringMatch,
  WorkloadSelector,
} from '@sextant/config-model';
import type { Findings } from '../findings';
import { fieldPath, itemPath, keyPath } from '../issue';
import { checkWildcardDomain, isDns1123Label } from './hosts';
import { checkLabelValue, checkQualifiedName } from './labels';
import { checkPort, checkRegex } from './values';

/** exportTo: `.`, `*`, namespace names (and `~` for ServiceEntry), no duplicates, no mixing `*` or `~` with others. */
export function checkExportTo(f: Findings, path: string, namespace: string, exportTo: readonly string[] | undefined, isServiceEntry: boolean): Set<string> {
  const seen = new Set<string>();
  if (!exportTo || exportTo.length === 0) return seen;
  exportTo.forEach((entry, i) => {
    const at = itemPath(path, i);
    const key = entry === '.' ? namespace : entry;
    if (seen.has(key)) {
      f.error(at, 'INVALID_EXPORT_TO', key !== entry ? `duplicate entries in exportTo: . and current namespace ${namespace}` : `duplicate entries in exportTo for entry ${entry}`);
      return;
    }
    if (entry === '~' && !isServiceEntry) {
      f.error(at, 'INVALID_EXPORT_TO', 'exportTo ~ (none) is not allowed for Istio configuration objects');
      return;
    }
    if (entry !== '.' && entry !== '*' && entry !== '~' && !isDns1123Label(entry)) {
      f.error(at, 'INVALID_EXPORT_TO', `only ., *, or a valid DNS 1123 label is allowed as exportTo entry (got ${JSON.stringify(entry)})`);
      return;
    }
    seen.add(key);
  });
  if (seen.has('*') && exportTo.length > 1) f.error(path, 'INVALID_EXPORT_TO', 'cannot have both public (*) and non-public exportTo values for a resource');
  if (seen.has('~') && exportTo.length > 1) f.error(path, 'INVALID_EXPORT_TO', 'cannot export service entry to no one (~) and someone');
  return seen;
}

/** Labels a selector matches on: keys and values as Kubernetes labels, no wildcards. */
export function checkSelectorLabels(f: Findings, path: string, labels: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const at = keyPath(path, key);
    if (key === '') f.error(at, 'INVALID_LABEL', 'empty key is not supported in selector');
    else if (key.includes('*') || value.includes('*')) f.error(at, 'INVALID_LABEL', `wildcard is not supported in selector: ${JSON.stringify(`${key}=${value}`)}`);
    else {
      f.check(at, 'INVALID_LABEL', checkQualifiedName(key));
      f.check(at, 'INVALID_LABEL', checkLabelValue(value, false));
    }
  }
}

/** `selector: {matchLabels}` of security policies and DestinationRule's workloadSelector. */
export function checkWorkloadSelector(f: Findings, path: string, selector: WorkloadSelector | undefined): void {
  if (!selector) return;
  checkSelectorLabels(f, fieldPath(path, 'matchLabels'), selector.matchLabels);
  if (Object.keys(selector.matchLabels ?? {}).length === 0) {
    f.warn(path, 'SUSPICIOUS', 'workload selector specified without labels: it selects every workload in the namespace');
  }
}

const ALLOWED_TARGETS = [
  { group: '', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
];

export function checkTargetRef(f: Findings, path: string, ref: PolicyTargetReference | undefined): void {
  if (!ref) return;
  if (!ref.name) f.error(fieldPath(path, 'name'), 'REQUIRED', 'targetRef name must be set');
  if (ref.namespace) f.error(fieldPath(path, 'namespace'), 'INVALID_VALUE', 'targetRef namespace must not be set; cross namespace referencing is not supported');
  const group = ref.group === 'core' ? '' : (ref.group ?? '');
  if (!ALLOWED_TARGETS.some((t) => t.kind === ref.kind && t.group === group)) {
    const allowed = ALLOWED_TARGETS.map((t) => `${t.group || 'core'}/${t.kind}`).join(', ');
    f.error(path, 'INVALID_VALUE', `targetRef must be to one of ${allowed} but was ${group || 'core'}/${ref.kind}`);
  }
}

/** Exactly one way to pick workloads: selector, targetRef or targetRefs. */
export function checkPolicyTargets(
  f: Findings,
  spec: { selector?: WorkloadSelector; targetRef?: PolicyTargetReference; targetRefs?: PolicyTargetReference[] },
): void {
  const set = [spec.selector && 'selector', spec.targetRef && 'targetRef', spec.targetRefs?.length && 'targetRefs'].filter(Boolean);
  if (set.length > 1) f.error('spec', 'CONFLICT', `only one of targetRefs or workloadSelector can be set (got ${set.join(', ')})`);
  checkWorkloadSelector(f, 'spec.selector', spec.selector);
  checkTargetRef(f, 'spec.targetRef', spec.targetRef);
  spec.targetRefs?.forEach((r, i) => checkTargetRef(f, itemPath('spec.targetRefs', i), r));
}

/**
 * A StringMatch: at most one of exact/prefix/regex (the schema checks that);
 * prefix and regex must not be empty unless `allowEmptyPrefix`; regex must be RE2.
 */
export function checkStringMatch(f: Findings, path: string, match: StringMatch | undefined, allowEmptyPrefix = false): void {
  if (!match) return;
  if (match.prefix !== undefined && match.prefix === '' && !allowEmptyPrefix) {
    f.error(fieldPath(path, 'prefix'), 'INVALID_MATCH', 'prefix string match should not be empty');
  }
  if (match.regex !== undefined) {
    if (match.regex === '') f.error(fieldPath(path, 'regex'), 'INVALID_MATCH', 'regex string match should not be empty');
    else f.check(fieldPath(path, 'regex'), 'INVALID_REGEX', checkRegex(match.regex));
  }
}

export function checkSubsetName(name: string): string | undefined {
  if (name === '') return 'subset name cannot be empty';
  return isDns1123Label(name) ? undefined : `subset name ${JSON.stringify(name)} is invalid: must be a DNS-1123 label`;
}

/** A route destination: a host (not `*`), an optional subset, an optional port 1-65535. */
export function checkDestination(f: Findings, path: string, destination: Destination | undefined): void {
  if (!destination) return;
  const hostPath = fieldPath(path, 'host');
  if (destination.host === '*') f.error(hostPath, 'INVALID_HOST', 'invalid destination host *');
  else f.check(hostPath, 'INVALID_HOST', checkWildcardDomain(destination.host));
  if (destination.subset !== undefined && destination.subset !== '') {
    f.check(fieldPath(path, 'subset'), 'INVALID_VALUE', checkSubsetName(destination.subset));
  }
  if (destination.port) f.check(fieldPath(fieldPath(path, 'port'), 'number'), 'INVALID_PORT', checkPort(destination.port.number ?? 0));
}
