// Refusals a user sees for VirtualServices: each names the field and the reason.
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../src';
import { findExpectedError, validate, errorsOf, type InvalidCase } from './helpers';

const route = (extra: Record<string, unknown> = {}) => ({ route: [{ destination: { host: 'reviews' } }], ...extra });
const vs = (spec: Record<string, unknown>) => ({ kind: 'VirtualService', spec: { hosts: ['reviews'], ...spec } });
const http = (...routes: Record<string, unknown>[]) => vs({ http: routes });

const CASES: InvalidCase[] = [
  { name: 'total weight 0 over several destinations', input: http({ route: [{ destination: { host: 'a' }, weight: 0 }, { destination: { host: 'b' }, weight: 0 }] }), path: 'spec.http[0].route', reason: 'total destination weight = 0' },
  { name: 'timeout below 1ms', input: http(route({ timeout: '0.5ms' })), path: 'spec.http[0].timeout', reason: 'must be a valid duration greater than 1ms', code: 'RULE_VIOLATION' },
  { name: 'timeout finer than milliseconds', input: http(route({ timeout: '1500us' })), path: 'spec.http[0].timeout', reason: 'only durations to ms precision are supported (got 1.5ms)', code: 'INVALID_DURATION' },
  { name: 'timeout that is not a duration', input: http(route({ timeout: 'ten seconds' })), path: 'spec.http[0].timeout', reason: 'must be a valid duration greater than 1ms' },
  { name: 'regex with lookahead', input: http(route({ match: [{ uri: { regex: '/api/(?=v1)' } }] })), path: 'spec.http[0].match[0].uri.regex', reason: 'invalid or unsupported Perl syntax: `(?=`', code: 'INVALID_REGEX' },
  { name: 'regex with a backreference', input: http(route({ match: [{ headers: { cookie: { regex: '(a)\\1' } } }] })), path: 'spec.http[0].match[0].headers[cookie].regex', reason: 'invalid escape sequence: `\\1`', code: 'INVALID_REGEX' },
  { name: 'regex with possessive quantifier', input: http(route({ match: [{ uri: { regex: 'a++' } }] })), path: 'spec.http[0].match[0].uri.regex', reason: 'invalid nested repetition operator', code: 'INVALID_REGEX' },
  { name: 'StringMatch with exact and prefix', input: http(route({ match: [{ uri: { exact: '/a', prefix: '/b' } }] })), path: 'spec.http[0].match[0].uri', reason: 'only one of exact, prefix, regex may be set (got exact, prefix)', code: 'MUTUALLY_EXCLUSIVE' },
  { name: 'empty method prefix', input: http(route({ match: [{ method: { prefix: '' } }] })), path: 'spec.http[0].match[0].method.prefix', reason: 'prefix string match should not be empty', code: 'INVALID_MATCH' },
  { name: 'header name with a space', input: http(route({ match: [{ headers: { 'bad header': { exact: 'x' } } }] })), path: 'spec.http[0].match[0].headers[bad header]', reason: 'is not a valid header name', code: 'INVALID_HEADER' },
  { name: 'setting a pseudo-header', input: http(route({ headers: { request: { set: { ':path': '/x' } } } })), path: 'spec.http[0].headers.request.set[:path]', reason: 'header cannot have ":" prefix' },
  { name: 'removing the Host header', input: http(route({ headers: { request: { remove: ['Host'] } } })), path: 'spec.http[0].headers.request.remove[0]', reason: 'cannot set Host header' },
  { name: 'header value with a lone %', input: http(route({ headers: { response: { add: { 'x-rate': '100%' } } } })), path: 'spec.http[0].headers.response.add[x-rate]', reason: 'un-escaped %' },
  { name: 'wildcard inside a host', input: vs({ hosts: ['foo.*.com'], http: [route()] }), path: 'spec.hosts[0]', reason: 'domain name "foo.*.com" invalid (label "*" invalid)', code: 'INVALID_HOST' },
  { name: 'host * bound to the mesh', input: vs({ hosts: ['*'], http: [route()] }), path: 'spec.hosts[0]', reason: 'wildcard host * is not allowed for virtual services bound to the mesh gateway' },
  { name: 'overlapping hosts', input: vs({ hosts: ['*.example.com', 'a.example.com'], http: [route()] }), path: 'spec.hosts[1]', reason: 'duplicate hosts in virtual service: *.example.com & a.example.com', code: 'DUPLICATE' },
  { name: 'no routes at all', input: vs({}), path: 'spec', reason: 'http, tcp or tls must be provided in virtual service', code: 'MISSING' },
  { name: 'route and redirect together', input: http(route({ redirect: { uri: '/v2' } })), path: 'spec.http[0]', reason: 'HTTP route cannot contain both route and redirect', code: 'CONFLICT' },
  { name: 'redirect code outside 3xx', input: http({ redirect: { uri: '/v2', redirectCode: 200 } }), path: 'spec.http[0].redirect.redirectCode', reason: '200 is not a valid redirect code, must be 3xx' },
  { name: 'fault without abort or delay', input: http(route({ fault: {} })), path: 'spec.http[0].fault', reason: 'HTTP fault injection must have an abort and/or a delay' },
  { name: 'abort with an impossible status', input: http(route({ fault: { abort: { httpStatus: 700 } } })), path: 'spec.http[0].fault.abort.httpStatus', reason: 'HTTP status 700 is not in range 200-599' },
  { name: 'abort with an unknown gRPC status', input: http(route({ fault: { abort: { grpcStatus: 'NOPE' } } })), path: 'spec.http[0].fault.abort.grpcStatus', reason: 'gRPC status "NOPE" is not supported' },
  { name: 'delay percentage above 100', input: http(route({ fault: { delay: { fixedDelay: '1s', percentage: { value: 150 } } } })), path: 'spec.http[0].fault.delay.percentage.value', reason: 'percentage 150 is neither 0.0, nor in range [0.0001, 100.0]' },
  { name: 'unknown retryOn policy', input: http(route({ retries: { attempts: 3, retryOn: '5xx,bogus' } })), path: 'spec.http[0].retries.retryOn', reason: '"bogus" is not a valid retryOn policy' },
  { name: 'retry settings with zero attempts', input: http(route({ retries: { attempts: 0, perTryTimeout: '1s' } })), path: 'spec.http[0].retries', reason: 'http retry policy configured when attempts are set to 0 (disabled)' },
  { name: 'subset name that is not a DNS label', input: http({ route: [{ destination: { host: 'reviews', subset: 'v_1' } }] }), path: 'spec.http[0].route[0].destination.subset', reason: 'subset name "v_1" is invalid' },
  { name: 'destination port above 65535', input: http({ route: [{ destination: { host: 'reviews', port: { number: 70000 } } }] }), path: 'spec.http[0].route[0].destination.port.number', reason: 'port number 70000 must be in the range 1..65535', code: 'INVALID_PORT' },
  { name: 'mirror and mirrors together', input: http(route({ mirror: { host: 'a' }, mirrors: [{ destination: { host: 'b' } }] })), path: 'spec.http[0]', reason: 'HTTP route cannot contain both mirror and mirrors' },
  { name: 'gateway reference with a bad namespace', input: vs({ gateways: ['bad_ns/gw'], http: [route()] }), path: 'spec.gateways[0]', reason: 'invalid value for namespace: "bad_ns"' },
  { name: 'JWT claim routing on the mesh', input: http(route({ match: [{ headers: { '@request.auth.claims.group': { exact: 'admin' } } }] })), path: 'spec.http[0].match[0].headers[@request.auth.claims.group]', reason: 'JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway' },
  { name: 'SNI host outside the hosts', input: vs({ hosts: ['a.example.com'], tls: [{ match: [{ sniHosts: ['b.example.com'] }], route: [{ destination: { host: 'b' } }] }] }), path: 'spec.tls[0].match[0].sniHosts[0]', reason: 'SNI host "b.example.com" is not a compatible subset of any of the virtual service hosts' },
  { name: 'TCP match on a malformed subnet', input: vs({ tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }], route: [{ destination: { host: 'db' } }] }] }), path: 'spec.tcp[0].match[0].destinationSubnets[0]', reason: '"10.0.0.0/33" is not a valid CIDR block', code: 'INVALID_ADDRESS' },
  { name: 'field with the wrong case', input: http(route({ Timeout: '1s' })), path: 'spec.http[0].Timeout', reason: 'unknown field "Timeout"; did you mean "timeout"?', code: 'UNKNOWN_FIELD' },
  { name: 'hosts given as a string', input: vs({ hosts: 'reviews', http: [route()] }), path: 'spec.hosts', reason: 'must be of type array (got string "reviews")', code: 'WRONG_TYPE' },
  { name: 'exportTo none (~) on a VirtualService', input: vs({ http: [route()], exportTo: ['~'] }), path: 'spec.exportTo[0]', reason: 'exportTo ~ (none) is not allowed for Istio configuration objects', code: 'INVALID_EXPORT_TO' },
  { name: 'exportTo * with a namespace', input: vs({ http: [route()], exportTo: ['*', 'foo'] }), path: 'spec.exportTo', reason: 'cannot have both public (*) and non-public exportTo values' },
  { name: 'CORS with an unknown method', input: http(route({ corsPolicy: { allowMethods: ['FETCH'] } })), path: 'spec.http[0].corsPolicy.allowMethods[0]', reason: '"FETCH" is not a supported HTTP method' },
  { name: 'rewrite of uri and regex together', input: http(route({ rewrite: { uri: '/a', uriRegexRewrite: { match: '^/b', rewrite: '/c' } } })), path: 'spec.http[0].rewrite', reason: 'rewrite may only contain one of URI or UriRegexRewrite' },
  { name: 'delegate with gateways', input: { kind: 'VirtualService', spec: { gateways: ['gw'], http: [route()] } }, path: 'spec.gateways', reason: 'delegate virtual service must have no gateways specified' },
  { name: 'direct response status out of range', input: http({ directResponse: { status: 99 } }), path: 'spec.http[0].directResponse.status', reason: 'HTTP status 99 is not in range 200-599' },
  { name: 'root route with delegate and route', input: http({ delegate: { name: 'reviews-delegate' }, route: [{ destination: { host: 'reviews' } }] }), path: 'spec.http[0].route', reason: 'root HTTP route must not specify route' },
];

describe('invalid VirtualServices', () => {
  it('reports a negative weight as in the documented example', () => {
    const result = validate(http(route(), { route: [{ destination: { host: 'reviews', subset: 'v2' }, weight: -5 }] }));
    const line = errorsOf(result).map((e) => formatIssue({ ...e, file: 'bad.yaml', index: 2, name: 'reviews' }));
    expect(line).toEqual(['bad.yaml#2 VirtualService/default/reviews: spec.http[1].route[0].weight: must be >= 0 (got -5)']);
  });
  it.each(CASES)('$name: $path', (c) => {
    const { hit, detail } = findExpectedError(c);
    expect(hit, detail).toBeDefined();
    if (c.code) expect(hit!.code, detail).toBe(c.code);
  });
});
