// Configuration written for Istio's documentation tasks (our own YAML, in
// test/fixtures/docs): each file must validate without errors or warnings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssues, validateFiles } from '../src';
import { FIXTURES } from './helpers';

const DIR = join(FIXTURES, 'docs');

describe('Istio documentation tasks', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
  it('has a fixture per task', () => {
    expect(files).toEqual([
      'authorization.yaml',
      'circuit-breaking.yaml',
      'egress.yaml',
      'fault-injection.yaml',
      'gateways-tls.yaml',
      'mirroring.yaml',
      'peer-authentication.yaml',
      'request-routing.yaml',
      'traffic-shifting.yaml',
    ]);
  });
  for (const file of files) {
    it(`accepts ${file} without errors or warnings`, () => {
      const result = validateFiles([{ file, content: readFileSync(join(DIR, file), 'utf8') }]);
      expect(formatIssues([...result.errors, ...result.warnings])).toBe('');
      expect(result.resources.length).toBeGreaterThan(0);
      for (const { resource } of result.resources) expect(resource.apiVersion).toMatch(/^(networking|security)\.istio\.io\/v1$/);
    });
  }
});
