// Istio's own test data, read in place from shared/ (not copied): the CRD
// validation cases, the configuration Istio's integration tests load, and
// Istio's samples. See shared/istio-testdata/README.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, formatIssues, validateFiles, validateResource, type ValidationIssue } from '../src';
import { SHARED } from './helpers';

const CRD_DIR = join(SHARED, 'istio-testdata/crd-validation');
const CONFIG_DIR = join(SHARED, 'istio-testdata/config');
const SAMPLES_DIR = join(SHARED, 'istio-samples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/**
 * What an `_err` line demands. Istio's `_err` holds a fragment of the API
 * server's message: either `<field path>: <what>` / `<field path> in body
 * <what>` (the path may be the tail of the full path), or a message text.
 */
function expectationOf(err: string): { path?: string; rest?: string; text?: string } {
  const m = /^([A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)*)(?:: | in body )(.*)$/.exec(err);
  return m ? { path: m[1]!, rest: m[2]! } : { text: err };
}

const CODE_FOR: [RegExp, string][] = [
  [/^Required value/, 'REQUIRED'],
  [/should (be|have) at least \d+/, 'TOO_SHORT'],
  [/must be of type/, 'WRONG_TYPE'],
  [/should match/, 'PATTERN_MISMATCH'],
];

function matches(issue: ValidationIssue, want: ReturnType<typeof expectationOf>): boolean {
  if (want.text !== undefined) return issue.reason.toLowerCase().includes(want.text.toLowerCase());
  const pathOk = issue.path === want.path || issue.path.endsWith(`.${want.path}`);
  const code = CODE_FOR.find(([re]) => re.test(want.rest ?? ''))?.[1];
  return pathOk && (code === undefined || issue.code === code);
}

describe('Istio CRD validation cases (shared/istio-testdata/crd-validation)', () => {
  const files = readdirSync(CRD_DIR).sort();
  for (const name of files.filter((f) => f.endsWith('-valid.yaml'))) {
    it(`accepts every document of ${name}`, () => {
      const result = validateFiles([{ file: name, content: readFileSync(join(CRD_DIR, name)) }]);
      expect(formatIssues(result.errors)).toBe('');
      expect(result.resources.length).toBeGreaterThan(0);
    });
  }
  for (const name of files.filter((f) => f.endsWith('-invalid.yaml'))) {
    const decoded = decodeFile(name, readFileSync(join(CRD_DIR, name)));
    it(`decodes ${name}`, () => expect(decoded.errors).toEqual([]));
    for (const doc of decoded.documents) {
      const { _err: err, ...rest } = doc.value;
      const title = `${name}#${doc.index} (${String((rest['metadata'] as { name?: string })?.name)}) is refused: ${String(err)}`;
      it(title, () => {
        expect(typeof err).toBe('string');
        const result = validateResource(rest, { file: name, index: doc.index });
        expect(result.valid).toBe(false);
        const errors = result.valid ? [] : result.errors;
        const want = expectationOf(err as string);
        expect(errors.some((e) => matches(e, want)), formatIssues(errors)).toBe(true);
      });
    }
  }
});

function validateTree(dir: string) {
  return yamlFiles(dir).map((path) => {
    const file = relative(SHARED, path);
    return { file, result: validateFiles([{ file, content: readFileSync(path) }], { skipUnknownKinds: true }) };
  });
}

describe("configuration from Istio's integration tests (shared/istio-testdata/config)", () => {
  const results = validateTree(CONFIG_DIR);
  for (const { file, result } of results) {
    it(`accepts every Istio resource in ${file}`, () => {
      expect(formatIssues(result.errors)).toBe('');
    });
  }
  it('skips only Kubernetes kinds, and validates the rest', () => {
    const skipped = results.flatMap(({ result }) => result.skipped.map((s) => `${s.file}#${s.index} ${s.kind}`));
    // Reported, so the skip list stays visible: only Deployments and a Service.
    expect(skipped).toEqual([
      'istio-testdata/config/none.yaml#1 Service',
      'istio-testdata/config/none.yaml#2 Deployment',
      'istio-testdata/config/none.yaml#3 Deployment',
    ]);
    const validated = results.reduce((n, { result }) => n + result.resources.length, 0);
    expect(validated).toBeGreaterThanOrEqual(60);
  });
});

describe("Istio's samples (shared/istio-samples)", () => {
  for (const { file, result } of validateTree(SAMPLES_DIR)) {
    it(`accepts ${file}`, () => {
      expect(formatIssues(result.errors)).toBe('');
      expect(result.skipped).toEqual([]);
      expect(result.resources.length).toBeGreaterThan(0);
    });
  }
});
