// Golden files: YAML in, Envoy resources out, compared with
// test/golden/<scenario>--<proxy>.json. UPDATE_GOLDEN=1 rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { danglingClusterReferences, danglingRouteReferences } from '../src/consistency';
import { runScenario, SCENARIOS } from './scenarios';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

describe('golden translation', () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      const { outputs } = runScenario(scenario);
      for (const { proxy, config } of outputs) {
        it(`${proxy.name} matches test/golden/${scenario.name}--${proxy.name}.json`, () => {
          const file = join(GOLDEN, `${scenario.name}--${proxy.name}.json`);
          const text = JSON.stringify(config, null, 2) + '\n';
          if (UPDATE || !existsSync(file)) {
            if (!UPDATE) throw new Error(`missing golden ${file}; run with UPDATE_GOLDEN=1`);
            mkdirSync(GOLDEN, { recursive: true });
            writeFileSync(file, text);
          }
          expect(text).toBe(readFileSync(file, 'utf8'));
        });
        it(`${proxy.name}: no dangling cluster or route names, no warnings`, () => {
          expect(danglingClusterReferences(config)).toEqual([]);
          expect(danglingRouteReferences(config)).toEqual([]);
          expect(config.warnings).toEqual([]);
        });
        it(`${proxy.name}: deterministic and sorted`, () => {
          const again = runScenario(scenario).outputs.find((o) => o.proxy.name === proxy.name)!.config;
          expect(JSON.stringify(again)).toBe(JSON.stringify(config));
          for (const list of [config.listeners, config.routes, config.clusters]) expect(list.map((x) => x.name)).toEqual(list.map((x) => x.name).sort());
          expect(config.endpoints.map((e) => e.clusterName)).toEqual(config.endpoints.map((e) => e.clusterName).sort());
        });
      }
    });
  }
});
