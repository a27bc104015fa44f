// Reading `-f PATH` for the config commands: files, directories (every
// .yaml/.yml/.json below them) and `-` for stdin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { InputFile } from '@sextant/validation';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export class InputError extends Error {}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
  }
}

/** The inputs named by -f, in order; throws InputError for a path that cannot be read. */
export function readInputs(paths: readonly string[]): InputFile[] {
  if (!paths.length) throw new InputError('no input: pass -f FILE, -f DIRECTORY or -f - (stdin)');
  const out: InputFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ file: '-', content: readFileSync(0) });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new InputError(`cannot read ${path}: no such file or directory`);
    }
    if (!isDir) {
      out.push({ file: path, content: readFileSync(path) });
      continue;
    }
    const files: string[] = [];
    walk(path, files);
    if (!files.length) throw new InputError(`${path} holds no .yaml, .yml or .json files`);
    for (const f of files) out.push({ file: f, content: readFileSync(f) });
  }
  return out;
}

/** commander collector for repeatable -f. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
