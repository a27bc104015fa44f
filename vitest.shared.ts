// Shared Vitest settings: every project's vitest.config.ts spreads this, so
// path aliases come from tsconfig.base.json (one source of truth).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViteUserConfig as UserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};

// Exact matches, so '@sextant/proto' never swallows '@sextant/proto/testing'.
export const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => ({
  find: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
  replacement: resolve(root, target),
}));

export function projectConfig(projectRoot: string, overrides: UserConfig['test'] = {}): UserConfig {
  return {
    root: projectRoot,
    resolve: { alias },
    test: {
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: 20_000,
      hookTimeout: 60_000,
      passWithNoTests: false,
      ...overrides,
    },
  };
}
