import { describe, expect, it } from 'vitest';
import type { Rule } from '@sextant/config-model';
import { RuleError } from './authz-attributes';
import { buildModel, generatePolicy, type GenerateOptions } from './authz-model';
import type { PermissionObject, PrincipalObject } from './rbac-types';

const allow: GenerateOptions = { forTcp: false, action: 'ALLOW' };
const policy = (rule: Rule, o: GenerateOptions = allow) => generatePolicy(buildModel('foo', rule), o);
/** The attributes of the single from/to of a rule. */
const principalsOf = (rule: Rule, o: GenerateOptions = allow): PrincipalObject[] => policy(rule, o).principals[0]!.andIds!.ids;
const permissionsOf = (rule: Rule, o: GenerateOptions = allow): PermissionObject[] => policy(rule, o).permissions[0]!.andRules!.rules;
const authn = (m: object): PrincipalObject => ({ authenticated: { principalName: m } });

describe('sources -> principals', () => {
  it('principals are SPIFFE ids with Istio wildcards', () => {
    expect(principalsOf({ from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep', '*', 'cluster.local/ns/foo/*', '*/sa/admin'] } }] })).toEqual([
      {
        orIds: {
          ids: [
            authn({ exact: 'spiffe://cluster.local/ns/default/sa/sleep' }),
            authn({ safeRegex: { regex: '.+' } }),
            authn({ prefix: 'spiffe://cluster.local/ns/foo/' }),
            authn({ safeRegex: { regex: 'spiffe://.*/sa/admin' } }),
          ],
        },
      },
    ]);
  });
  it('namespaces match /ns/<ns>/ in the identity; not-forms wrap in notId', () => {
    expect(principalsOf({ from: [{ source: { namespaces: ['bar', 'team-*'], notNamespaces: ['kube.system'] } }] })).toEqual([
      { orIds: { ids: [authn({ safeRegex: { regex: '.*/ns/bar/.*' } }), authn({ safeRegex: { regex: '.*/ns/team-.*/.*' } })] } },
      { notId: { orIds: { ids: [authn({ safeRegex: { regex: '.*/ns/kube\\.system/.*' } })] } } },
    ]);
  });
  it('serviceAccounts default to the policy namespace; trustDomains by prefix or regex', () => {
    expect(principalsOf({ from: [{ source: { serviceAccounts: ['sleep', 'bar/httpbin'] } }] })[0]!.orIds!.ids).toEqual([
      authn({ safeRegex: { regex: 'spiffe://.+/ns/foo/(.+/|)sa/sleep(/.+)?' } }),
      authn({ safeRegex: { regex: 'spiffe://.+/ns/bar/(.+/|)sa/httpbin(/.+)?' } }),
    ]);
    expect(principalsOf({ from: [{ source: { trustDomains: ['cluster.local', '*', 'td-*.corp'] } }] })[0]!.orIds!.ids).toEqual([
      authn({ prefix: 'spiffe://cluster.local/' }),
      authn({ prefix: 'spiffe://' }),
      authn({ safeRegex: { regex: 'spiffe://td-[^/]*\\.corp/.*' } }),
    ]);
  });
  it('ipBlocks -> direct_remote_ip, remoteIpBlocks -> remote_ip (bare address = /32 or /128)', () => {
    expect(principalsOf({ from: [{ source: { ipBlocks: ['10.0.0.1', 'fd00::/8'], remoteIpBlocks: ['1.2.3.0/24'] } }] })).toEqual([
      { orIds: { ids: [{ remoteIp: { addressPrefix: '1.2.3.0', prefixLen: { value: 24 } } }] } },
      { orIds: { ids: [{ directRemoteIp: { addressPrefix: '10.0.0.1', prefixLen: { value: 32 } } }, { directRemoteIp: { addressPrefix: 'fd00::', prefixLen: { value: 8 } } }] } },
    ]);
  });
  it('requestPrincipals -> iss and sub from the jwt_authn payload, issuer split at the last slash', () => {
    const md = (claim: string, m: object) => ({ metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'payload' }, { key: claim }], value: { stringMatch: m } } });
    const one = (v: string) => principalsOf({ from: [{ source: { requestPrincipals: [v] } }] })[0]!.andIds!.ids;
    expect(one('https://accounts.example.com/alice')).toEqual([md('iss', { exact: 'https://accounts.example.com' }), md('sub', { exact: 'alice' })]);
    expect(one('*')).toEqual([md('iss', { safeRegex: { regex: '.+' } }), md('sub', { safeRegex: { regex: '.+' } })]);
    expect(one('iss.example.com/*')).toEqual([md('iss', { exact: 'iss.example.com' }), md('sub', { safeRegex: { regex: '.+' } })]);
    expect(one('*/alice')).toEqual([md('iss', { safeRegex: { regex: '.+' } }), md('sub', { exact: 'alice' })]);
    expect(one('*.example.com/alice')).toEqual([md('iss', { suffix: '.example.com' }), md('sub', { exact: 'alice' })]);
    const two = principalsOf({ from: [{ source: { requestPrincipals: ['a/b', 'c/d'] } }] })[0]!;
    expect(two.orIds!.ids).toHaveLength(2);
  });
});

describe('operations -> permissions', () => {
  it('hosts (case-insensitive :authority), methods, paths, ports in that order', () => {
    expect(permissionsOf({ to: [{ operation: { ports: ['8080'], paths: ['/api/*', '*.js', '/x', '*', '/v1/{*}/items/{**}'], methods: ['GET'], hosts: ['*.example.com'] } }] })).toEqual([
      { orRules: { rules: [{ header: { name: ':authority', stringMatch: { suffix: '.example.com', ignoreCase: true } } }] } },
      { orRules: { rules: [{ header: { name: ':method', stringMatch: { exact: 'GET' } } }] } },
      {
        orRules: {
          rules: [
            { urlPath: { path: { prefix: '/api/' } } },
            { urlPath: { path: { suffix: '.js' } } },
            { urlPath: { path: { exact: '/x' } } },
            { urlPath: { path: { safeRegex: { regex: '.+' } } } },
            { uriTemplate: { name: 'uri-template', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig', pathTemplate: '/v1/*/items/**' } } },
          ],
        },
      },
      { orRules: { rules: [{ destinationPort: 8080 }] } },
    ]);
  });
  it('no from / no to: any', () => {
    expect(policy({})).toEqual({ permissions: [{ andRules: { rules: [{ any: true }] } }], principals: [{ andIds: { ids: [{ any: true }] } }] });
  });
  it('several from and to: one principal / permission each, ORed by the Policy', () => {
    const p = policy({ from: [{ source: { namespaces: ['a'] } }, { source: { namespaces: ['b'] } }], to: [{ operation: { methods: ['GET'] } }, { operation: { ports: ['80'] } }] });
    expect(p.principals).toHaveLength(2);
    expect(p.permissions).toHaveLength(2);
  });
});

describe('when conditions', () => {
  it('go to the permission side (destination, sni) or the principal side (everything else), after from/to', () => {
    const p = policy({
      from: [{ source: { principals: ['a/ns/x/sa/y'] } }],
      when: [
        { key: 'destination.port', values: ['80'] },
        { key: 'request.headers[User-Agent]', values: ['curl*'] },
        { key: 'request.auth.claims[realm][roles]', values: ['admin'] },
        { key: 'request.auth.audiences', values: ['a', 'b'] },
        { key: 'connection.sni', notValues: ['*.internal'] },
      ],
    });
    expect(p.permissions[0]!.andRules!.rules).toEqual([{ orRules: { rules: [{ destinationPort: 80 }] } }, { notRule: { orRules: { rules: [{ requestedServerName: { suffix: '.internal' } }] } } }]);
    const ids = p.principals[0]!.andIds!.ids;
    expect(ids[0]).toEqual({ orIds: { ids: [authn({ exact: 'spiffe://a/ns/x/sa/y' })] } });
    expect(ids[1]).toEqual({ orIds: { ids: [{ header: { name: 'User-Agent', stringMatch: { prefix: 'curl' } } }] } });
    expect(ids[2]).toEqual({
      metadata: {
        filter: 'envoy.filters.http.jwt_authn',
        path: [{ key: 'payload' }, { key: 'realm' }, { key: 'roles' }],
        value: { orMatch: { valueMatchers: [{ listMatch: { oneOf: { stringMatch: { exact: 'admin' } } } }, { stringMatch: { exact: 'admin' } }] } },
      },
    });
    expect((ids[3]!.metadata!.value.orMatch!.valueMatchers[1]!.orMatch!.valueMatchers ?? []).length).toBe(2);
  });
  it('request.auth.claims[a.b] is one claim name; an unknown attribute fails the rule', () => {
    const ids = principalsOf({ when: [{ key: 'request.auth.claims[a.b]', values: ['x'] }] });
    expect(ids[0]!.metadata!.path).toEqual([{ key: 'payload' }, { key: 'a.b' }]);
    expect(() => buildModel('foo', { when: [{ key: 'request.size', values: ['1'] }] })).toThrow(RuleError);
  });
});

describe('errors: ALLOW drops the rule, DENY and LOG drop only the value', () => {
  const httpOnly: Rule = { to: [{ operation: { methods: ['GET'], ports: ['9000'] } }] };
  it('HTTP-only attributes on TCP', () => {
    expect(() => policy(httpOnly, { forTcp: true, action: 'ALLOW' })).toThrow(/HTTP only/);
    expect(permissionsOf(httpOnly, { forTcp: true, action: 'DENY' })).toEqual([{ orRules: { rules: [{ destinationPort: 9000 }] } }]);
    expect(principalsOf({ from: [{ source: { requestPrincipals: ['*'] } }] }, { forTcp: true, action: 'LOG' })).toEqual([{ any: true }]);
  });
  it('malformed values (reported through onIgnored for DENY)', () => {
    const bad: Rule = { from: [{ source: { ipBlocks: ['10.0.0.300', '10.1.0.0/16'] } }], to: [{ operation: { ports: ['http'] } }] };
    expect(() => policy(bad)).toThrow(/invalid port "http"/);
    const ignored: string[] = [];
    const p = policy(bad, { forTcp: false, action: 'DENY', onIgnored: (e) => ignored.push(e.message) });
    expect(p.principals[0]!.andIds!.ids).toEqual([{ orIds: { ids: [{ directRemoteIp: { addressPrefix: '10.1.0.0', prefixLen: { value: 16 } } }] } }]);
    expect(p.permissions[0]!.andRules!.rules).toEqual([{ any: true }]);
    expect(ignored).toEqual(['invalid port "http"', 'invalid IP address or CIDR "10.0.0.300"']);
  });
});
