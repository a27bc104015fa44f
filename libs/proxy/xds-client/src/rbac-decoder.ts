// Decoder for Envoy's RBAC filters (envoy.filters.http.rbac and
// envoy.filters.network.rbac) into @sextant/policy's typed objects, which
// the proxy evaluates with the shared evaluator. Exactly the subset Pilot
// emits (libs/pilot/security README, "The Envoy subset" §4); anything
// else is a NACK naming the field, because silently ignoring part of an
// authorization policy would widen or narrow access.
import type {
  CidrRangeObject,
  HeaderMatcherObject,
  MetadataMatcherObject,
  PermissionObject,
  PrincipalObject,
  RbacAction,
  RbacFilterConfig,
  RbacPolicyObject,
  RbacRulesObject,
  StringMatcherObject,
  ValueMatcherObject,
} from '@sextant/policy';
import { parseIp, SECURITY_TYPED } from '@sextant/policy';
import { anyTypeUrl, checkRegex, typeName, unpack, type AnyLike, type Issues } from './decode-support';

/* eslint-disable @typescript-eslint/no-explicit-any -- decoded protobuf messages (defaults filled, oneofs named) */
type Msg = Record<string, any>;

const URI_TEMPLATE_TYPE = 'envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig';

export function decodeStringMatcher(m: Msg | null | undefined, path: string, issues: Issues): StringMatcherObject | undefined {
  if (!m) {
    issues.error(path, 'missing string matcher');
    return undefined;
  }
  const ic = m['ignoreCase'] ? { ignoreCase: true } : {};
  switch (m['matchPattern']) {
    case 'exact':
      return { exact: m['exact'], ...ic };
    case 'prefix':
      return { prefix: m['prefix'], ...ic };
    case 'suffix':
      return { suffix: m['suffix'], ...ic };
    case 'contains':
      return { contains: m['contains'], ...ic };
    case 'safeRegex': {
      const regex = String(m['safeRegex']?.regex ?? '');
      if (m['ignoreCase']) issues.error(`${path}.ignoreCase`, 'ignore_case does not apply to safe_regex');
      return checkRegex(regex, `${path}.safeRegex.regex`, issues) ? { safeRegex: { regex } } : undefined;
    }
    default:
      issues.error(path, `string match ${m['matchPattern'] ?? '(none)'} is not supported (exact, prefix, suffix, contains, safe_regex)`);
      return undefined;
  }
}

function decodeHeader(h: Msg, path: string, issues: Issues): HeaderMatcherObject | undefined {
  const name = String(h['name'] ?? '').toLowerCase();
  if (!name) issues.error(`${path}.name`, 'empty header name');
  const base: HeaderMatcherObject = { name, ...(h['invertMatch'] ? { invertMatch: true } : {}) };
  if (h['treatMissingHeaderAsEmpty']) issues.error(`${path}.treatMissingHeaderAsEmpty`, 'not supported');
  const spec = h['headerMatchSpecifier'];
  switch (spec) {
    case 'presentMatch':
      return { ...base, presentMatch: Boolean(h['presentMatch']) };
    case 'stringMatch': {
      const m = decodeStringMatcher(h['stringMatch'], `${path}.stringMatch`, issues);
      return m ? { ...base, stringMatch: m } : undefined;
    }
    case 'exactMatch':
      return { ...base, stringMatch: { exact: h['exactMatch'] } };
    case 'prefixMatch':
      return { ...base, stringMatch: { prefix: h['prefixMatch'] } };
    case 'suffixMatch':
      return { ...base, stringMatch: { suffix: h['suffixMatch'] } };
    case 'containsMatch':
      return { ...base, stringMatch: { contains: h['containsMatch'] } };
    case 'safeRegexMatch': {
      const regex = String(h['safeRegexMatch']?.regex ?? '');
      return checkRegex(regex, `${path}.safeRegexMatch.regex`, issues) ? { ...base, stringMatch: { safeRegex: { regex } } } : undefined;
    }
    case undefined:
    case null:
      return base;
    default:
      issues.error(path, `header match ${spec} is not supported`);
      return undefined;
  }
}

function decodeCidr(c: Msg | null, path: string, issues: Issues): CidrRangeObject | undefined {
  const prefix = String(c?.['addressPrefix'] ?? '');
  const bytes = parseIp(prefix);
  if (!bytes) {
    issues.error(`${path}.addressPrefix`, `${JSON.stringify(prefix)} is not an IP address`);
    return undefined;
  }
  const len = c?.['prefixLen'] ? Number(c['prefixLen'].value) : bytes.length * 8;
  if (!(len >= 0 && len <= bytes.length * 8)) issues.error(`${path}.prefixLen`, `${len} is out of range for ${prefix}`);
  return { addressPrefix: prefix, prefixLen: { value: len } };
}

function decodeValue(v: Msg | null, path: string, issues: Issues): ValueMatcherObject | undefined {
  switch (v?.['matchPattern']) {
    case 'stringMatch': {
      const m = decodeStringMatcher(v['stringMatch'], `${path}.stringMatch`, issues);
      return m ? { stringMatch: m } : undefined;
    }
    case 'presentMatch':
      return { presentMatch: Boolean(v['presentMatch']) };
    case 'listMatch': {
      const inner = decodeValue(v['listMatch']?.oneOf ?? null, `${path}.listMatch.oneOf`, issues);
      return inner ? { listMatch: { oneOf: inner } } : undefined;
    }
    case 'orMatch': {
      const list = (v['orMatch']?.valueMatchers ?? []) as Msg[];
      const out = list.map((x, i) => decodeValue(x, `${path}.orMatch.valueMatchers[${i}]`, issues));
      return out.every((x) => x !== undefined) ? { orMatch: { valueMatchers: out as ValueMatcherObject[] } } : undefined;
    }
    default:
      issues.error(path, `value match ${v?.['matchPattern'] ?? '(none)'} is not supported (string_match, present_match, list_match, or_match)`);
      return undefined;
  }
}

function decodeMetadata(m: Msg | null, path: string, issues: Issues): MetadataMatcherObject | undefined {
  if (!m) return undefined;
  if (m['invert']) issues.error(`${path}.invert`, 'not supported');
  const segments = (m['path'] ?? []) as Msg[];
  const keys = segments.map((s, i) => {
    if (typeof s['key'] !== 'string' || s['key'] === '') issues.error(`${path}.path[${i}]`, 'only key segments are supported');
    return { key: String(s['key'] ?? '') };
  });
  const value = decodeValue(m['value'], `${path}.value`, issues);
  return value ? { filter: String(m['filter'] ?? ''), path: keys, value } : undefined;
}

function decodePermission(p: Msg, path: string, issues: Issues): PermissionObject {
  const rule = p['rule'];
  const at = `${path}.${rule}`;
  const never: PermissionObject = { notRule: { any: true } };
  switch (rule) {
    case 'andRules':
      return { andRules: { rules: ((p['andRules']?.rules ?? []) as Msg[]).map((r, i) => decodePermission(r, `${at}.rules[${i}]`, issues)) } };
    case 'orRules':
      return { orRules: { rules: ((p['orRules']?.rules ?? []) as Msg[]).map((r, i) => decodePermission(r, `${at}.rules[${i}]`, issues)) } };
    case 'notRule':
      return { notRule: decodePermission(p['notRule'], at, issues) };
    case 'any':
      return { any: true };
    case 'header': {
      const h = decodeHeader(p['header'], at, issues);
      return h ? { header: h } : never;
    }
    case 'urlPath': {
      if (p['urlPath']?.rule !== 'path') {
        issues.error(at, 'only url_path.path is supported');
        return never;
      }
      const m = decodeStringMatcher(p['urlPath'].path, `${at}.path`, issues);
      return m ? { urlPath: { path: m } } : never;
    }
    case 'uriTemplate': {
      const cfg = p['uriTemplate']?.typedConfig as AnyLike | null;
      if (typeName(anyTypeUrl(cfg)) !== URI_TEMPLATE_TYPE) {
        issues.error(`${at}.typedConfig`, `${anyTypeUrl(cfg) || '(none)'} is not supported (UriTemplateMatchConfig)`);
        return never;
      }
      const template = String(unpack<{ pathTemplate: string }>(cfg, `${at}.typedConfig`, issues)?.pathTemplate ?? '');
      if (!template || !template.startsWith('/')) issues.error(`${at}.typedConfig.pathTemplate`, `${JSON.stringify(template)} is not a path template`);
      return { uriTemplate: { name: String(p['uriTemplate'].name ?? 'uri-template'), typedConfig: { '@type': SECURITY_TYPED.uriTemplate, pathTemplate: template } } };
    }
    case 'destinationIp': {
      const c = decodeCidr(p['destinationIp'], at, issues);
      return c ? { destinationIp: c } : never;
    }
    case 'destinationPort':
      return { destinationPort: Number(p['destinationPort']) };
    case 'requestedServerName': {
      const m = decodeStringMatcher(p['requestedServerName'], at, issues);
      return m ? { requestedServerName: m } : never;
    }
    case 'metadata': {
      const m = decodeMetadata(p['metadata'], at, issues);
      return m ? { metadata: m } : never;
    }
    default:
      issues.error(path, `permission ${rule ?? '(none)'} is not supported`);
      return never;
  }
}

function decodePrincipal(p: Msg, path: string, issues: Issues): PrincipalObject {
  const id = p['identifier'];
  const at = `${path}.${id}`;
  const never: PrincipalObject = { notId: { any: true } };
  switch (id) {
    case 'andIds':
      return { andIds: { ids: ((p['andIds']?.ids ?? []) as Msg[]).map((r, i) => decodePrincipal(r, `${at}.ids[${i}]`, issues)) } };
    case 'orIds':
      return { orIds: { ids: ((p['orIds']?.ids ?? []) as Msg[]).map((r, i) => decodePrincipal(r, `${at}.ids[${i}]`, issues)) } };
    case 'notId':
      return { notId: decodePrincipal(p['notId'], at, issues) };
    case 'any':
      return { any: true };
    case 'authenticated': {
      const pn = p['authenticated']?.principalName;
      // Envoy: no principal_name matches any authenticated peer.
      const m = pn ? decodeStringMatcher(pn, `${at}.principalName`, issues) : { safeRegex: { regex: '.*' } };
      return m ? { authenticated: { principalName: m } } : never;
    }
    case 'directRemoteIp':
    case 'remoteIp':
    case 'sourceIp': {
      const c = decodeCidr(p[id], at, issues);
      // source_ip (deprecated) is the direct peer address.
      if (!c) return never;
      return id === 'remoteIp' ? { remoteIp: c } : { directRemoteIp: c };
    }
    case 'header': {
      const h = decodeHeader(p['header'], at, issues);
      return h ? { header: h } : never;
    }
    case 'metadata': {
      const m = decodeMetadata(p['metadata'], at, issues);
      return m ? { metadata: m } : never;
    }
    default:
      issues.error(path, `principal ${id ?? '(none)'} is not supported`);
      return never;
  }
}

const ACTIONS: Record<string, RbacAction> = { ALLOW: 'ALLOW', DENY: 'DENY', LOG: 'LOG' };

function decodeRules(r: Msg | null, path: string, issues: Issues): RbacRulesObject | undefined {
  if (!r) return undefined;
  const action = ACTIONS[String(r['action'])];
  if (!action) issues.error(`${path}.action`, `${r['action']} is not supported (ALLOW, DENY, LOG)`);
  if (r['auditLoggingOptions']) issues.warn(`${path}.auditLoggingOptions`, 'ignored: audit decisions go to the access log');
  const policies: Record<string, RbacPolicyObject> = {};
  for (const [name, p] of Object.entries((r['policies'] ?? {}) as Record<string, Msg>)) {
    const at = `${path}.policies[${name}]`;
    if (p['condition'] || p['checkedCondition']) issues.error(`${at}.condition`, 'CEL conditions are not supported');
    const permissions = ((p['permissions'] ?? []) as Msg[]).map((x, i) => decodePermission(x, `${at}.permissions[${i}]`, issues));
    const principals = ((p['principals'] ?? []) as Msg[]).map((x, i) => decodePrincipal(x, `${at}.principals[${i}]`, issues));
    if (permissions.length === 0) issues.error(`${at}.permissions`, 'at least one permission is required');
    if (principals.length === 0) issues.error(`${at}.principals`, 'at least one principal is required');
    policies[name] = { permissions, principals };
  }
  return { action: action ?? 'DENY', policies };
}

/** envoy.extensions.filters.http.rbac.v3.RBAC or ...network.rbac.v3.RBAC (decoded message) -> RbacFilterConfig. */
export function decodeRbacFilter(msg: Msg, path: string, issues: Issues, network: boolean): RbacFilterConfig {
  if (msg['matcher'] || msg['shadowMatcher']) issues.error(`${path}.matcher`, 'RBAC matcher trees are not supported (use rules / shadow_rules)');
  if (network) {
    if (msg['enforcementType'] === 'CONTINUOUS') issues.error(`${path}.enforcementType`, 'CONTINUOUS enforcement is not supported (ONE_TIME_ON_FIRST_BYTE)');
    if (msg['delayDenyAfter']) issues.warn(`${path}.delayDenyAfter`, 'ignored: denied connections are closed at once');
  }
  const out: RbacFilterConfig = { '@type': network ? SECURITY_TYPED.networkRbac : SECURITY_TYPED.httpRbac };
  const rules = decodeRules(msg['rules'], `${path}.rules`, issues);
  if (rules) out.rules = rules;
  const shadow = decodeRules(msg['shadowRules'], `${path}.shadowRules`, issues);
  if (shadow) out.shadowRules = shadow;
  if (msg['shadowRulesStatPrefix']) out.shadowRulesStatPrefix = String(msg['shadowRulesStatPrefix']);
  if (network) out.statPrefix = String(msg['statPrefix'] ?? '');
  return out;
}
