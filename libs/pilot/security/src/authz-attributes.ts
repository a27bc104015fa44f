// One generator per AuthorizationPolicy attribute (Istio's authz model):
// each turns a value (or, for JWT attributes, all values at once) into an
// RBAC permission (what is accessed) or principal (who accesses). A
// generator throws RuleError when the attribute cannot apply: wrong side
// (permission vs principal), a malformed value, or an HTTP-only attribute
// on a TCP chain. The model decides what an error means for each action.
import { JWT_METADATA_NAMESPACE, JWT_PAYLOAD_KEY, SECURITY_TYPED } from './type-urls';
import { cidrRange, claimMatcher, exactMatcher, headerMatcher, metadataStringMatcher, prefixMatcher, quoteRegex, regexMatcher, stringOrMatcher, suffixMatcher, wildcardMatcher } from './matchers';
import type { PermissionObject, PrincipalObject, StringMatcherObject, ValueMatcherObject } from './rbac-types';

export class RuleError extends Error {
  override readonly name = 'RuleError';
  /** True when the attribute is HTTP-only and the chain is TCP (expected; not a config mistake). */
  readonly httpOnly: boolean;
  constructor(message: string, httpOnly = false) {
    super(message);
    this.httpOnly = httpOnly;
  }
}

/** A generator called once per value (values are ORed). */
export interface ValueGenerator {
  readonly perValue: true;
  permission?(key: string, value: string, forTcp: boolean): PermissionObject;
  principal?(key: string, value: string, forTcp: boolean): PrincipalObject;
}

/** A generator called with every value at once (JWT attributes: one metadata matcher). */
export interface ListGenerator {
  readonly perValue: false;
  permission?(key: string, values: readonly string[], forTcp: boolean): PermissionObject;
  principal?(key: string, values: readonly string[], forTcp: boolean): PrincipalObject;
}

export type AttributeGenerator = ValueGenerator | ListGenerator;

const SPIFFE = 'spiffe://';

function httpOnly(key: string, forTcp: boolean): void {
  if (forTcp) throw new RuleError(`"${key}" is HTTP only`, true);
}

function cidr(value: string) {
  const c = cidrRange(value);
  if (!c) throw new RuleError(`invalid IP address or CIDR "${value}"`);
  return c;
}

const authenticated = (m: StringMatcherObject): PrincipalObject => ({ authenticated: { principalName: m } });

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new RuleError(`invalid port "${value}"`);
  return Number(value);
}

/** `[name]` -> name. */
export function nameInBrackets(s: string): string {
  if (!s.startsWith('[') || !s.endsWith(']')) throw new RuleError(`expecting [<NAME>], found "${s}"`);
  return s.slice(1, -1);
}

/** `[a][b]` -> [a, b]; `[a.b]` -> [a.b] (Istio's nested claim syntax). */
export function namesInNestedBrackets(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const end = s[i] === '[' ? s.indexOf(']', i + 1) : -1;
    if (end < 0 || s.slice(i + 1, end).includes('[')) return [nameInBrackets(s)];
    out.push(s.slice(i + 1, end));
    i = end + 1;
  }
  if (out.length === 0) throw new RuleError(`expecting [<NAME>], found "${s}"`);
  return out;
}

const jwtClaim = (claim: string, m: StringMatcherObject): PrincipalObject => ({ metadata: metadataStringMatcher(JWT_METADATA_NAMESPACE, [JWT_PAYLOAD_KEY, claim], m) });
const ANY_VALUE = regexMatcher('.+');

/** `iss/sub` with Istio's `*` forms (the issuer may contain slashes: split at the last one). */
function requestPrincipal(value: string): PrincipalObject {
  const idx = value.lastIndexOf('/');
  const found = idx >= 0;
  const iss = found ? value.slice(0, idx) : value;
  const sub = found ? value.slice(idx + 1) : '';
  let mIss: StringMatcherObject;
  let mSub: StringMatcherObject;
  if (value === '*') {
    mIss = ANY_VALUE;
    mSub = ANY_VALUE;
  } else if (value.startsWith('*')) {
    if (found) {
      mIss = iss === '*' ? ANY_VALUE : suffixMatcher(iss.slice(1));
      mSub = exactMatcher(sub);
    } else {
      mIss = ANY_VALUE;
      mSub = suffixMatcher(value.slice(1));
    }
  } else if (value.endsWith('*')) {
    if (found) {
      mIss = exactMatcher(iss);
      mSub = sub === '*' ? ANY_VALUE : prefixMatcher(sub.slice(0, -1));
    } else {
      mIss = prefixMatcher(value.slice(0, -1));
      mSub = ANY_VALUE;
    }
  } else {
    mIss = exactMatcher(iss);
    mSub = exactMatcher(sub);
  }
  return { andIds: { ids: [jwtClaim('iss', mIss), jwtClaim('sub', mSub)] } };
}

export const GENERATORS = {
  destinationIp: { perValue: true, permission: (_k, v) => ({ destinationIp: cidr(v) }) },
  destinationPort: { perValue: true, permission: (_k, v) => ({ destinationPort: parsePort(v) }) },
  connectionSni: { perValue: true, permission: (_k, v) => ({ requestedServerName: wildcardMatcher(v) }) },
  sourceIp: { perValue: true, principal: (_k, v) => ({ directRemoteIp: cidr(v) }) },
  remoteIp: { perValue: true, principal: (_k, v) => ({ remoteIp: cidr(v) }) },
  sourceNamespace: {
    perValue: true,
    principal: (_k, v) => authenticated(regexMatcher(`.*/ns/${v.split('*').map(quoteRegex).join('.*')}/.*`)),
  },
  sourcePrincipal: { perValue: true, principal: (_k, v) => authenticated(wildcardMatcher(v, SPIFFE)) },
  sourceTrustDomain: {
    perValue: true,
    principal: (_k, v) => {
      if (v === '*') return authenticated(prefixMatcher(SPIFFE));
      if (!v.includes('*')) return authenticated(prefixMatcher(`${SPIFFE}${v}/`));
      const star = v.indexOf('*');
      return authenticated(regexMatcher(`spiffe://${quoteRegex(v.slice(0, star))}[^/]*${quoteRegex(v.slice(star + 1))}/.*`));
    },
  },
  requestHeader: {
    perValue: true,
    principal: (k, v, forTcp) => {
      httpOnly(k, forTcp);
      return { header: headerMatcher(nameInBrackets(k.slice('request.headers'.length)), v) };
    },
  },
  host: {
    perValue: true,
    permission: (k, v, forTcp) => {
      httpOnly(k, forTcp);
      return { header: headerMatcher(':authority', v, true) };
    },
  },
  method: {
    perValue: true,
    permission: (k, v, forTcp) => {
      httpOnly(k, forTcp);
      return { header: headerMatcher(':method', v) };
    },
  },
  path: {
    perValue: true,
    permission: (k, v, forTcp) => {
      httpOnly(k, forTcp);
      if (v.includes('{*}') || v.includes('{**}')) {
        const pathTemplate = v.replaceAll('{**}', '**').replaceAll('{*}', '*');
        return { uriTemplate: { name: 'uri-template', typedConfig: { '@type': SECURITY_TYPED.uriTemplate, pathTemplate } } };
      }
      return { urlPath: { path: wildcardMatcher(v) } };
    },
  },
  requestPrincipal: {
    perValue: false,
    principal: (k, values, forTcp) => {
      httpOnly(k, forTcp);
      const or = values.map(requestPrincipal);
      return or.length === 1 ? or[0]! : { orIds: { ids: or } };
    },
  },
  requestAudiences: {
    perValue: false,
    principal: (k, values, forTcp) => {
      httpOnly(k, forTcp);
      return { metadata: claimMatcher(JWT_METADATA_NAMESPACE, [JWT_PAYLOAD_KEY, 'aud'], stringOrMatcher(values)) };
    },
  },
  requestPresenter: {
    perValue: false,
    principal: (k, values, forTcp) => {
      httpOnly(k, forTcp);
      return { metadata: claimMatcher(JWT_METADATA_NAMESPACE, [JWT_PAYLOAD_KEY, 'azp'], stringOrMatcher(values)) };
    },
  },
  requestClaims: {
    perValue: false,
    principal: (k, values, forTcp) => {
      httpOnly(k, forTcp);
      const claims = namesInNestedBrackets(k.slice('request.auth.claims'.length));
      return { metadata: claimMatcher(JWT_METADATA_NAMESPACE, [JWT_PAYLOAD_KEY, ...claims], stringOrMatcher(values)) };
    },
  },
  envoyFilter: {
    perValue: false,
    permission: (k, values) => {
      // experimental.envoy.filters.a.b[c] -> metadata namespace envoy.filters.a.b, key c; `[v]` matches inside a list.
      const body = k.slice('experimental.'.length);
      const open = body.indexOf('[');
      if (open < 0 || !body.endsWith(']')) throw new RuleError(`invalid key ${k}`);
      const matchers = values.map((v): ValueMatcherObject =>
        v.startsWith('[') && v.endsWith(']') ? { listMatch: { oneOf: { stringMatch: wildcardMatcher(v.slice(1, -1)) } } } : { stringMatch: wildcardMatcher(v) },
      );
      const value = matchers.length === 1 ? matchers[0]! : { orMatch: { valueMatchers: matchers } };
      return { metadata: { filter: body.slice(0, open), path: [{ key: body.slice(open + 1, -1) }], value } };
    },
  },
} satisfies Record<string, AttributeGenerator>;

/** Istio's `source.serviceAccount` / `serviceAccounts`: `<sa>` (policy namespace) or `<ns>/<sa>`. */
export function serviceAccountGenerator(policyNamespace: string): ValueGenerator {
  return {
    perValue: true,
    principal: (_k, v) => {
      const slash = v.indexOf('/');
      const ns = slash < 0 ? policyNamespace : v.slice(0, slash);
      const sa = slash < 0 ? v : v.slice(slash + 1);
      return authenticated(regexMatcher(`spiffe://.+/ns/${quoteRegex(ns)}/(.+/|)sa/${quoteRegex(sa)}(/.+)?`));
    },
  };
}
