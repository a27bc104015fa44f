// One flat config for the whole workspace. Module boundaries are enforced by
// Nx tags on two axes: scope (which part of the mesh) and type (what kind of
// project). Libraries never import applications.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Tags: scope:* (which part of the mesh) and type:* (what kind of project).
// Tests may also use type:testing libraries (real-process harnesses) and
// type:data libraries (protos, fixtures).
function boundaries(forTests) {
  const t = (tags) => (forTests ? [...new Set([...tags, 'type:testing', 'type:data'])] : tags);
  return {
    allow: [],
    enforceBuildableLibDependency: false,
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: t(['type:feature', 'type:util', 'type:data', 'type:data-access']) },
      { sourceTag: 'type:feature', onlyDependOnLibsWithTags: t(['type:feature', 'type:util', 'type:data', 'type:data-access']) },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: t(['type:util', 'type:data', 'type:data-access']) },
      { sourceTag: 'type:data', onlyDependOnLibsWithTags: t(['type:util', 'type:data']) },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: t(['type:util']) },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:data', 'type:data-access', 'type:feature', 'type:testing'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:pilot', onlyDependOnLibsWithTags: ['scope:shared', 'scope:pilot'] },
      { sourceTag: 'scope:citadel', onlyDependOnLibsWithTags: ['scope:shared', 'scope:citadel'] },
      { sourceTag: 'scope:galley', onlyDependOnLibsWithTags: ['scope:shared', 'scope:galley'] },
      { sourceTag: 'scope:proxy', onlyDependOnLibsWithTags: ['scope:shared', 'scope:proxy'] },
      { sourceTag: 'scope:telemetry', onlyDependOnLibsWithTags: ['scope:shared', 'scope:telemetry'] },
      { sourceTag: 'scope:samples', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:ctl', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ctl', 'scope:galley', 'scope:pilot', 'scope:citadel', 'scope:proxy', 'scope:telemetry'] },
    ],
  };
}

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '**/.sextant/**', '**/vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' } },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // Translation is pure (model -> translate -> xds-server): no gRPC, NATS,
    // fastify, pino, Kubernetes client or other I/O in its sources.
    files: ['libs/pilot/translate/src/**/*.ts', 'libs/pilot/security/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@grpc/*', '@nats-io/*', 'fastify', 'fastify/*', '@fastify/*', 'pino', 'pino-*', '@kubernetes/*'], message: 'translation is pure: no gRPC, NATS, fastify, pino or Kubernetes client here' },
            { group: ['@sextant/nats', '@sextant/grpc', '@sextant/util', '@sextant/runtime', '@sextant/admin', '@sextant/xds-server', '@sextant/registry'], message: 'translation is pure: these libraries do I/O (or pull in pino); take what you need through PushContext' },
            { group: ['node:net', 'node:http', 'node:http2', 'node:fs', 'node:fs/*', 'node:child_process', 'node:dgram', 'node:tls'], message: 'translation is pure: no I/O' },
          ],
        },
      ],
    },
  },
  {
    // CommonJS helpers (the native addon's loader, fixtures run in other namespaces).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', exports: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Test files may use the testing lib from any scope.
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
];
