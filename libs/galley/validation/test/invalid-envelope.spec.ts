// Refusals of the envelope: apiVersion, kind, metadata, top-level fields.
import { describe, expect, it } from 'vitest';
import { validateResource } from '../src';
import { findExpectedError, type InvalidCase } from './helpers';

const spec = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] };
const vs = (metadata: Record<string, unknown>, apiVersion?: string) => ({ kind: 'VirtualService', spec, metadata, apiVersion });

const CASES: InvalidCase[] = [
  { name: 'unknown kind', input: { kind: 'Telemetry', apiVersion: 'telemetry.istio.io/v1', spec: {} }, path: 'kind', reason: 'kind "Telemetry" (telemetry.istio.io/v1) is not a kind Sextant accepts', code: 'UNKNOWN_KIND' },
  { name: 'unknown version', input: vs({ name: 'a' }, 'networking.istio.io/v2'), path: 'apiVersion', reason: 'networking.istio.io/v2 is not an accepted apiVersion for VirtualService', code: 'UNSUPPORTED_VERSION' },
  { name: 'security kind in a networking version', input: { kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1alpha3', spec: {} }, path: 'apiVersion', reason: 'use one of security.istio.io/v1, security.istio.io/v1beta1' },
  { name: 'kind in the wrong group', input: vs({ name: 'a' }, 'security.istio.io/v1'), path: 'apiVersion', reason: 'is not an accepted apiVersion for VirtualService' },
  { name: 'missing name', input: vs({ namespace: 'default' }), path: 'metadata.name', reason: 'required field is missing', code: 'REQUIRED' },
  { name: 'name with capitals', input: vs({ name: 'Reviews' }), path: 'metadata.name', reason: 'must be a lower-case DNS subdomain', code: 'INVALID_NAME' },
  { name: 'namespace with an underscore', input: vs({ name: 'a', namespace: 'my_ns' }), path: 'metadata.namespace', reason: 'invalid namespace "my_ns"', code: 'INVALID_NAME' },
  { name: 'label value too long', input: vs({ name: 'a', labels: { app: 'x'.repeat(64) } }), path: 'metadata.labels[app]', reason: 'at most 63 characters', code: 'INVALID_METADATA' },
  { name: 'unquoted numeric label value', input: vs({ name: 'a', labels: { version: 2 } }), path: 'metadata.labels[version]', reason: 'must be of type string (got number 2); quote it in YAML', code: 'WRONG_TYPE' },
  { name: 'annotation key with two slashes', input: vs({ name: 'a', annotations: { 'a/b/c': 'x' } }), path: 'metadata.annotations[a/b/c]', reason: 'invalid key "a/b/c"' },
  { name: 'unknown metadata field', input: vs({ name: 'a', labelz: {} }), path: 'metadata.labelz', reason: 'unknown field "labelz"', code: 'UNKNOWN_FIELD' },
  { name: 'reserved internal annotation', input: vs({ name: 'a', annotations: { 'internal.istio.io/parents': 'x' } }), path: 'metadata.annotations[internal.istio.io/parents]', reason: 'may not be set by users', code: 'RESERVED_ANNOTATION' },
  { name: 'dry-run on a VirtualService', input: vs({ name: 'a', annotations: { 'istio.io/dry-run': 'true' } }), path: 'metadata.annotations[istio.io/dry-run]', reason: 'VirtualService does not support the annotation istio.io/dry-run' },
  { name: 'dry-run that is not a boolean', input: { kind: 'AuthorizationPolicy', spec: {}, metadata: { name: 'a', annotations: { 'istio.io/dry-run': 'maybe' } } }, path: 'metadata.annotations[istio.io/dry-run]', reason: 'has invalid value "maybe"' },
  { name: 'malformed creation timestamp', input: vs({ name: 'a', creationTimestamp: 'yesterday' }), path: 'metadata.creationTimestamp', reason: 'must be an RFC 3339 timestamp' },
  { name: 'spec missing where the CRD requires it', input: { kind: 'ServiceEntry' }, path: 'spec', reason: 'required field is missing', code: 'REQUIRED' },
];

describe('invalid envelopes', () => {
  it.each(CASES)('$name: $path', (c) => {
    const { hit, detail } = findExpectedError(c);
    expect(hit, detail).toBeDefined();
    if (c.code) expect(hit!.code, detail).toBe(c.code);
  });

  it('refuses a misspelt top-level field', () => {
    const result = validateResource({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, specs: spec });
    expect(result.valid).toBe(false);
    expect(!result.valid && result.errors.map((e) => [e.path, e.reason])).toEqual([['specs', 'unknown field "specs"']]);
  });

  it('refuses documents that are not objects, without throwing', () => {
    for (const value of [null, 42, 'text', [1, 2], undefined]) {
      const result = validateResource(value, { file: 'x.yaml', index: 3 });
      expect(result.valid).toBe(false);
      expect(!result.valid && result.errors[0]).toMatchObject({ code: 'NOT_AN_OBJECT', file: 'x.yaml', index: 3, path: '' });
    }
  });

  it('refuses a missing apiVersion and kind', () => {
    const result = validateResource({ metadata: { name: 'a' } });
    expect(!result.valid && result.errors.map((e) => `${e.path} ${e.code}`)).toEqual(['apiVersion REQUIRED', 'kind REQUIRED']);
  });
});
