// Refusals for AuthorizationPolicies, RequestAuthentications and
// PeerAuthentications: each names the field and the reason.
import { describe, expect, it } from 'vitest';
import { findExpectedError, type InvalidCase } from './helpers';

const ap = (spec: Record<string, unknown>) => ({ kind: 'AuthorizationPolicy', spec });
const from = (source: Record<string, unknown>) => ap({ rules: [{ from: [{ source }] }] });
const to = (operation: Record<string, unknown>) => ap({ rules: [{ to: [{ operation }] }] });
const when = (condition: Record<string, unknown>) => ap({ rules: [{ when: [condition] }] });
const ra = (rule: Record<string, unknown>) => ({ kind: 'RequestAuthentication', spec: { jwtRules: [{ issuer: 'https://issuer.example.com', ...rule }] } });
const pa = (spec: Record<string, unknown>) => ({ kind: 'PeerAuthentication', spec });

const CASES: InvalidCase[] = [
  // AuthorizationPolicy
  { name: 'CUSTOM without a provider', input: ap({ action: 'CUSTOM', rules: [{}] }), path: 'spec.provider.name', reason: '`provider.name` must not be empty', code: 'REQUIRED' },
  { name: 'CUSTOM without rules', input: ap({ action: 'CUSTOM', provider: { name: 'ext' } }), path: 'spec.rules', reason: 'CUSTOM action without `rules` is meaningless' },
  { name: 'provider with ALLOW', input: ap({ provider: { name: 'ext' }, rules: [{}] }), path: 'spec.provider', reason: '`provider` must not be with non CUSTOM action, found ALLOW', code: 'CONFLICT' },
  { name: 'DENY without rules', input: ap({ action: 'DENY' }), path: 'spec.rules', reason: 'DENY action without `rules` is meaningless' },
  { name: 'rule with an empty from', input: ap({ rules: [{ from: [] }] }), path: 'spec.rules[0].from', reason: '`from` must not be empty' },
  { name: 'rule with an empty to', input: ap({ rules: [{ to: [] }] }), path: 'spec.rules[0].to', reason: '`to` must not be empty' },
  { name: 'empty source', input: from({}), path: 'spec.rules[0].from[0].source', reason: '`from.source` must not be empty' },
  { name: 'empty operation', input: to({}), path: 'spec.rules[0].to[0].operation', reason: '`to.operation` must not be empty' },
  { name: 'ipBlocks with a bad prefix length', input: from({ ipBlocks: ['1.2.3.4/33'] }), path: 'spec.rules[0].from[0].source.ipBlocks[0]', reason: '"1.2.3.4/33" is not a valid CIDR block', code: 'INVALID_ADDRESS' },
  { name: 'remoteIpBlocks with a host name', input: from({ remoteIpBlocks: ['example.com'] }), path: 'spec.rules[0].from[0].source.remoteIpBlocks[0]', reason: '"example.com" is not a valid IP address' },
  { name: 'named port in an operation', input: to({ ports: ['http'] }), path: 'spec.rules[0].to[0].operation.ports[0]', reason: 'bad port "http"', code: 'INVALID_PORT' },
  { name: 'empty principal', input: from({ principals: [''] }), path: 'spec.rules[0].from[0].source.principals[0]', reason: 'empty value not allowed' },
  { name: 'unknown condition key', input: when({ key: 'request.method', values: ['GET'] }), path: 'spec.rules[0].when[0].key', reason: 'unknown attribute: request.method' },
  { name: 'condition without values', input: when({ key: 'source.ip' }), path: 'spec.rules[0].when[0]', reason: 'at least one of `values` or `notValues` must be set for key source.ip' },
  { name: 'condition on a bad source IP', input: when({ key: 'source.ip', values: ['10.0.0.1/40'] }), path: 'spec.rules[0].when[0].values[0]', reason: '"10.0.0.1/40" is not a valid CIDR block' },
  { name: 'condition header key without brackets', input: when({ key: 'request.headers', values: ['x'] }), path: 'spec.rules[0].when[0].key', reason: 'bad key (request.headers): should have format a[b]' },
  { name: 'condition on a replaced attribute', input: when({ key: 'destination.namespace', values: ['foo'] }), path: 'spec.rules[0].when[0].key', reason: 'attribute destination.namespace is replaced by the metadata.namespace' },
  { name: '{**} not last in a path template', input: to({ paths: ['/{**}/a/{*}'] }), path: 'spec.rules[0].to[0].operation.paths[0]', reason: '{**} is not the last operator' },
  { name: 'CUSTOM with principals', input: ap({ action: 'CUSTOM', provider: { name: 'ext' }, rules: [{ from: [{ source: { principals: ['a'] } }] }] }), path: 'spec.rules[0].from[0].source.principals', reason: 'principals is currently not supported with CUSTOM action', code: 'CONFLICT' },
  { name: 'service account with a wildcard', input: from({ serviceAccounts: ['ns/*'] }), path: 'spec.rules[0].from[0].source.serviceAccounts[0]', reason: 'wildcard not allowed in service accounts' },
  { name: 'service account with two slashes', input: from({ serviceAccounts: ['a/b/c'] }), path: 'spec.rules[0].from[0].source.serviceAccounts[0]', reason: "expected format 'serviceAccount' or 'namespace/serviceAccount'" },
  { name: 'serviceAccounts with namespaces', input: from({ serviceAccounts: ['sa'], namespaces: ['ns'] }), path: 'spec.rules[0].from[0].source', reason: 'Cannot set serviceAccounts with namespaces or principals', code: 'RULE_VIOLATION' },
  { name: 'unknown action', input: ap({ action: 'ALLOWED' }), path: 'spec.action', reason: 'Unsupported value: "ALLOWED": supported values: "ALLOW", "DENY", "AUDIT", "CUSTOM"', code: 'UNSUPPORTED_VALUE' },
  { name: 'selector label value with a wildcard', input: ap({ selector: { matchLabels: { app: 'web-*' } } }), path: 'spec.selector.matchLabels[app]', reason: 'wildcard not allowed in label value match' },
  { name: 'selector and targetRef together', input: ap({ selector: { matchLabels: { app: 'a' } }, targetRef: { kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' } }), path: 'spec', reason: 'only one of targetRefs or selector can be set' },
  { name: 'targetRef to a Deployment', input: ap({ targetRef: { kind: 'Deployment', group: 'apps', name: 'web' } }), path: 'spec.targetRef', reason: 'targetRef must be to one of core/Service' },
  { name: 'trust domain with a slash', input: from({ trustDomains: ['cluster.local/ns'] }), path: 'spec.rules[0].from[0].source.trustDomains[0]', reason: "trust domain must not contain '/'" },
  { name: 'trust domain with a wildcard in the middle', input: from({ trustDomains: ['a*b'] }), path: 'spec.rules[0].from[0].source.trustDomains[0]', reason: 'wildcard is only allowed at the start or end' },

  // RequestAuthentication
  { name: 'jwks and jwksUri together', input: ra({ jwks: '{"keys":[]}', jwksUri: 'https://example.com/jwks' }), path: 'spec.jwtRules[0]', reason: 'only one of jwks or jwksUri can be set', code: 'RULE_VIOLATION' },
  { name: 'jwksUri with an ftp scheme', input: ra({ jwksUri: 'ftp://example.com/jwks' }), path: 'spec.jwtRules[0].jwksUri', reason: 'url must have scheme http:// or https://' },
  { name: 'jwks that is not JSON', input: ra({ jwks: 'not json' }), path: 'spec.jwtRules[0].jwks', reason: 'jwks parse error' },
  { name: 'jwks without keys', input: ra({ jwks: '{"issuer":"x"}' }), path: 'spec.jwtRules[0].jwks', reason: 'expected a JSON Web Key Set' },
  { name: 'rule without issuer or jwksUri', input: { kind: 'RequestAuthentication', spec: { jwtRules: [{ audiences: ['a'] }] } }, path: 'spec.jwtRules[0].issuer', reason: 'issuer or jwksUri must be non-empty string' },
  { name: 'payload header with a space', input: ra({ outputPayloadToHeader: 'x payload' }), path: 'spec.jwtRules[0].outputPayloadToHeader', reason: 'header name "x payload" is not a valid header name', code: 'INVALID_HEADER' },
  { name: 'timeout without a unit', input: ra({ timeout: '5' }), path: 'spec.jwtRules[0].timeout', reason: 'must be a valid duration greater than 1ms' },
  { name: 'cross-namespace targetRef', input: { kind: 'RequestAuthentication', spec: { targetRef: { kind: 'Service', group: '', name: 'a', namespace: 'other' } } }, path: 'spec.targetRef.namespace', reason: 'cross namespace referencing is not currently supported' },

  // PeerAuthentication
  { name: 'port-level mTLS without a selector', input: pa({ portLevelMtls: { 8080: { mode: 'DISABLE' } } }), path: 'spec', reason: 'portLevelMtls requires selector' },
  { name: 'unknown mTLS mode', input: pa({ mtls: { mode: 'ON' } }), path: 'spec.mtls.mode', reason: 'Unsupported value: "ON"' },
  { name: 'port-level mTLS on port 0', input: pa({ selector: { matchLabels: { app: 'a' } }, portLevelMtls: { 0: { mode: 'STRICT' } } }), path: 'spec.portLevelMtls', reason: 'port must be between 1-65535' },
  { name: 'selector with an empty key', input: pa({ selector: { matchLabels: { '': 'a' } } }), path: 'spec.selector.matchLabels', reason: 'key must not be empty' },
];

describe('invalid security resources', () => {
  it.each(CASES)('$name: $path', (c) => {
    const { hit, detail } = findExpectedError(c);
    expect(hit, detail).toBeDefined();
    if (c.code) expect(hit!.code, detail).toBe(c.code);
  });
});
