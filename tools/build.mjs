#!/usr/bin/env node
// Bundles each application with esbuild into dist/<project root>/main.js.
// Our own libraries are bundled from source (tsconfig paths); npm packages
// stay external and load from node_modules at run time. Proto files are
// copied beside each bundle so the apps find them wherever they run.
// Usage: node tools/build.mjs [project ...]   (no argument: every app)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function findApps(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.') || entry === 'dist') continue;
    const full = join(dir, entry);
    if (!statSync(full).isDirectory()) continue;
    const pj = join(full, 'project.json');
    if (existsSync(pj)) {
      const project = JSON.parse(readFileSync(pj, 'utf8'));
      if (project.projectType === 'application') out.push({ name: project.name, root: relative(root, full) });
    } else {
      findApps(full, out);
    }
  }
  return out;
}

const apps = [...findApps(join(root, 'apps')), ...findApps(join(root, 'samples'))];
const wanted = process.argv.slice(2);
const selected = wanted.length ? apps.filter((a) => wanted.includes(a.name)) : apps;
const unknown = wanted.filter((w) => !apps.some((a) => a.name === w));
if (unknown.length) {
  console.error(`build: unknown project(s): ${unknown.join(', ')}; known: ${apps.map((a) => a.name).join(', ')}`);
  process.exit(2);
}

let failed = false;
for (const app of selected) {
  const outdir = join(root, 'dist', app.root);
  if (!existsSync(join(root, app.root, 'src/main.ts'))) {
    console.error(`build: ${app.name} has no src/main.ts yet; skipped`);
    continue;
  }
  mkdirSync(outdir, { recursive: true });
  const ok = await build({
    entryPoints: [join(root, app.root, 'src/main.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
    banner: { js: "import { createRequire as __sextantCreateRequire } from 'node:module'; const require = __sextantCreateRequire(import.meta.url);" },
  }).then(
    () => true,
    () => false, // esbuild has already printed the errors with file and line
  );
  if (!ok) {
    failed = true;
    continue;
  }
  // Our .proto files (and an app's own, e.g. samples/echo/echo.proto) travel with every bundle.
  for (const f of readdirSync(join(root, app.root))) if (f.endsWith('.proto')) cpSync(join(root, app.root, f), join(outdir, f));
  cpSync(join(root, 'libs/api/proto/protos'), join(outdir, 'protos'), { recursive: true });
  if (existsSync(join(root, app.root, 'assets'))) cpSync(join(root, app.root, 'assets'), join(outdir, 'assets'), { recursive: true });
  // The proxy loads Envoy's API from a precomputed descriptor (libs/api/proto/src/envoy-descriptor.ts).
  if (app.name === 'proxy') {
    const tsx = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'tools/envoy-descriptor.ts'), outdir], { stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') } });
    if (tsx.status !== 0) failed = true;
  }
  console.log(`built ${app.name} -> ${relative(root, outdir)}/main.js`);
}
if (failed) process.exit(1);
