// The README is the proxy's contract: every RBAC permission and principal
// member, matcher kind, jwt_authn provider field and filter the scenarios
// emit must be documented there.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SECURITY_TYPED } from '../src/type-urls';
import { runScenario, SCENARIOS } from './scenarios';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');

type Json = unknown;

/** Collects the member names used under RBAC permissions/principals, jwt providers, and security filter names. */
function collect(node: Json, into: { members: Set<string>; providers: Set<string>; filters: Set<string> }, ctx = ''): void {
  if (Array.isArray(node)) return node.forEach((n) => collect(n, into, ctx));
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, Json>;
  if (typeof o['name'] === 'string' && /^envoy\.filters\.(http|network)\.(rbac|jwt_authn)/.test(o['name'])) into.filters.add(o['name']);
  for (const [k, v] of Object.entries(o)) {
    if (ctx === 'permission' || ctx === 'principal' || ctx === 'matcher') into.members.add(k);
    if (ctx === 'provider') into.providers.add(k);
    const next =
      k === 'permissions' || k === 'rules' || k === 'notRule' ? 'permission'
      : k === 'principals' || k === 'ids' || k === 'notId' ? 'principal'
      : k === 'stringMatch' || k === 'value' || k === 'principalName' || k === 'path' || k === 'oneOf' || k === 'valueMatchers' || k === 'header' || k === 'metadata' ? 'matcher'
      : ctx === 'providers' ? 'provider'
      : k === 'providers' ? 'providers'
      : '';
    collect(v, into, next);
  }
}

describe('README documents what the scenarios emit', () => {
  const used = { members: new Set<string>(), providers: new Set<string>(), filters: new Set<string>() };
  for (const s of SCENARIOS) for (const o of runScenario(s).outputs) collect(o.config.listeners, used);
  const undocumented = (names: Set<string>) => [...names].filter((n) => !README.includes('`' + n) && !README.includes(n + '`') && !README.includes(`.${n}`)).sort();

  it('RBAC permission/principal members and matcher fields', () => {
    expect(used.members.size).toBeGreaterThan(15);
    expect(undocumented(used.members)).toEqual([]);
  });
  it('jwt_authn provider fields', () => {
    expect(undocumented(used.providers)).toEqual([]);
  });
  it('filter names and type URLs', () => {
    expect([...used.filters].sort()).toEqual([
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.rbac.allow',
      'envoy.filters.http.rbac.audit',
      'envoy.filters.http.rbac.custom',
      'envoy.filters.http.rbac.deny',
      'envoy.filters.network.rbac.allow',
      'envoy.filters.network.rbac.audit',
      'envoy.filters.network.rbac.custom',
      'envoy.filters.network.rbac.deny',
    ]);
    for (const f of used.filters) expect(README).toContain(f.replace(/\.(allow|audit|custom|deny)$/, ''));
    for (const url of [SECURITY_TYPED.jwtAuthn, SECURITY_TYPED.httpRbac, SECURITY_TYPED.networkRbac]) expect(README).toContain(url.split('.').slice(-4).join('.'));
  });
});
