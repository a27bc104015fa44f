// AuthorizationPolicy semantics: action and provider, dry-run, and each
// rule's from/to/when blocks.
import type { AuthorizationPolicySpec, Rule, Source } from '@sextant/config-model';
import { checkPolicyTargets } from '../checks/common';
import { isGoBool } from '../checks/values';
import type { Findings } from '../findings';
import { fieldPath as at, itemPath } from '../issue';
import { checkAttributeKey, checkAttributeValues, checkIpList, checkPathTemplates, checkPortList, checkServiceAccounts, checkTrustDomains } from './authorization-values';
import type { SemanticInput } from './semantic-input';

export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

const SOURCE_FIELDS = [
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
  'namespaces',
  'notNamespaces',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
] as const;
const OPERATION_FIELDS = ['ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'] as const;
// Source fields that only an mTLS peer identity can satisfy: not checkable by a CUSTOM (ext-authz) provider.
const CUSTOM_UNSUPPORTED_SOURCE = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'] as const;
const CUSTOM_UNSUPPORTED_KEYS = ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'];

function checkEmptyValues(f: Findings, path: string, values: readonly string[] | undefined): void {
  values?.forEach((v, i) => {
    if (v === '') f.error(itemPath(path, i), 'INVALID_VALUE', 'empty value not allowed');
  });
}

function checkSource(f: Findings, path: string, src: Source): void {
  if (SOURCE_FIELDS.every((k) => (src[k]?.length ?? 0) === 0)) f.error(path, 'MISSING', '`from.source` must not be empty');
  for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const) checkIpList(f, at(path, k), src[k]);
  for (const k of ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces'] as const) checkEmptyValues(f, at(path, k), src[k]);
  for (const k of ['serviceAccounts', 'notServiceAccounts'] as const) checkServiceAccounts(f, at(path, k), src[k]);
  for (const k of ['trustDomains', 'notTrustDomains'] as const) checkTrustDomains(f, at(path, k), src[k]);
  for (const k of ['principals', 'notPrincipals'] as const) {
    src[k]?.forEach((p, i) => {
      if (p.startsWith('spiffe://')) f.warn(itemPath(at(path, k), i), 'SUSPICIOUS', `principal ${JSON.stringify(p)} should not include the spiffe:// prefix (write <trust-domain>/ns/<namespace>/sa/<service-account>)`);
    });
  }
}

function checkRule(f: Findings, path: string, rule: Rule, custom: boolean, deny: boolean): void {
  let fromHttpOnly = true;
  let toHttpOnly = true;
  const hasFrom = (rule.from ?? []).some((x) => x.source);
  const hasTo = (rule.to ?? []).some((x) => x.operation);
  if (rule.from !== undefined && rule.from.length === 0) f.error(at(path, 'from'), 'MISSING', '`from` must not be empty');
  rule.from?.forEach((from, i) => {
    const p = itemPath(at(path, 'from'), i);
    if (!from.source) {
      f.error(at(p, 'source'), 'REQUIRED', '`from.source` must not be nil');
      return;
    }
    const src = from.source;
    const sp = at(p, 'source');
    checkSource(f, sp, src);
    if ((['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'] as const).some((k) => src[k] !== undefined)) {
      fromHttpOnly = false;
    }
    if (custom) {
      for (const k of CUSTOM_UNSUPPORTED_SOURCE) {
        if ((src[k]?.length ?? 0) > 0) f.error(at(sp, k), 'CONFLICT', `${k} is currently not supported with CUSTOM action`);
      }
    }
  });
  if (rule.to !== undefined && rule.to.length === 0) f.error(at(path, 'to'), 'MISSING', '`to` must not be empty');
  rule.to?.forEach((to, i) => {
    const p = itemPath(at(path, 'to'), i);
    if (!to.operation) {
      f.error(at(p, 'operation'), 'REQUIRED', '`to.operation` must not be nil');
      return;
    }
    const op = to.operation;
    const op_ = at(p, 'operation');
    if (OPERATION_FIELDS.every((k) => (op[k]?.length ?? 0) === 0)) f.error(op_, 'MISSING', '`to.operation` must not be empty');
    checkPortList(f, at(op_, 'ports'), op.ports);
    checkPortList(f, at(op_, 'notPorts'), op.notPorts);
    for (const k of OPERATION_FIELDS) checkEmptyValues(f, at(op_, k), op[k]);
    checkPathTemplates(f, at(op_, 'paths'), op.paths);
    checkPathTemplates(f, at(op_, 'notPaths'), op.notPaths);
    if (op.ports !== undefined || op.notPorts !== undefined) toHttpOnly = false;
  });
  rule.when?.forEach((cond, i) => {
    const p = itemPath(at(path, 'when'), i);
    if (!cond.key) {
      f.error(at(p, 'key'), 'REQUIRED', '`key` must not be empty');
      return;
    }
    if ((cond.values?.length ?? 0) === 0 && (cond.notValues?.length ?? 0) === 0) {
      f.error(p, 'MISSING', `at least one of \`values\` or \`notValues\` must be set for key ${cond.key}`);
      return;
    }
    checkAttributeKey(f, at(p, 'key'), cond.key);
    checkAttributeValues(f, at(p, 'values'), cond.key, cond.values ?? []);
    checkAttributeValues(f, at(p, 'notValues'), cond.key, cond.notValues ?? []);
    if (custom && (CUSTOM_UNSUPPORTED_KEYS.includes(cond.key) || cond.key.startsWith('request.auth.'))) {
      f.error(at(p, 'key'), 'CONFLICT', `${cond.key} is currently not supported with CUSTOM action`);
    }
  });
  if (deny && ((hasFrom && !hasTo && fromHttpOnly) || (hasTo && toHttpOnly))) {
    f.warn(path, 'SUSPICIOUS', 'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port');
  }
}

export function validateAuthorizationPolicy(f: Findings, { spec, metadata }: SemanticInput<AuthorizationPolicySpec>): void {
  checkPolicyTargets(f, spec);
  const action = spec.action ?? 'ALLOW';
  const dryRun = metadata.annotations?.[DRY_RUN_ANNOTATION];
  if (dryRun !== undefined) {
    const p = `metadata.annotations[${DRY_RUN_ANNOTATION}]`;
    if (action !== 'ALLOW' && action !== 'DENY') f.error(p, 'RESERVED_ANNOTATION', `the annotation ${DRY_RUN_ANNOTATION} currently only supports action ALLOW/DENY, found action ${action}`);
    else if (!isGoBool(dryRun)) f.error(p, 'INVALID_METADATA', `annotation ${DRY_RUN_ANNOTATION} has invalid value ${JSON.stringify(dryRun)}: must be true or false`);
  }
  if (action === 'CUSTOM') {
    if (spec.rules === undefined) {
      f.error('spec.rules', 'MISSING', 'CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request');
    } else if (!spec.provider?.name) {
      f.error('spec.provider.name', 'REQUIRED', '`provider.name` must not be empty');
    }
  }
  if (spec.provider && action !== 'CUSTOM') f.error('spec.provider', 'CONFLICT', `\`provider\` must not be with non CUSTOM action, found ${action}`);
  if (action === 'DENY' && spec.rules === undefined) {
    f.error('spec.rules', 'MISSING', 'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request');
  }
  spec.rules?.forEach((rule, i) => checkRule(f, itemPath('spec.rules', i), rule, action === 'CUSTOM', action === 'DENY'));
}
