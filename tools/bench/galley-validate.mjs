#!/usr/bin/env node
// Launcher for tools/bench/galley-validate.ts (our libraries are TypeScript):
//   node tools/bench/galley-validate.mjs [--count 10000] [--applies 2000] [--out docs/benchmarks/galley.md] [--no-apply]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const r = spawnSync('npx', ['tsx', '--tsconfig', join(root, 'tsconfig.base.json'), join(root, 'tools/bench/galley-validate.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
