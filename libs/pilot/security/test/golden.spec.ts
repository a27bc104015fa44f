// Golden files: YAML in, the Envoy config security shapes out (a sidecar's
// virtualInbound listener, a gateway's listeners, extra clusters, warnings),
// compared with test/golden/<scenario>--<proxy>.json. UPDATE_GOLDEN=1
// rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { danglingClusterReferences } from '@sextant/translate';
import { runScenario, SCENARIOS, securityListeners } from './scenarios';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

describe('golden security config', () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      for (const o of runScenario(scenario).outputs) {
        it(`${o.proxy.name} matches test/golden/${scenario.name}--${o.proxy.name}.json`, () => {
          const file = join(GOLDEN, `${scenario.name}--${o.proxy.name}.json`);
          const text = JSON.stringify({ listeners: securityListeners(o), extraClusters: o.extraClusters, warnings: o.warnings }, null, 2) + '\n';
          if (UPDATE || !existsSync(file)) {
            if (!UPDATE) throw new Error(`missing golden ${file}; run with UPDATE_GOLDEN=1`);
            mkdirSync(GOLDEN, { recursive: true });
            writeFileSync(file, text);
          }
          expect(text).toBe(readFileSync(file, 'utf8'));
        });
        it(`${o.proxy.name}: translation stays consistent (no dangling clusters; security's clusters and warnings in its output, no others)`, () => {
          expect(danglingClusterReferences(o.config)).toEqual([]);
          expect(o.config.warnings).toEqual(o.warnings);
          const names = new Set(o.config.clusters.map((c) => c.name));
          for (const c of o.extraClusters) expect(names.has(c.name), c.name).toBe(true);
          expect(o.config.clusters.length).toBe(names.size);
        });
      }
    });
  }
});
