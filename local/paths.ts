/** Where things are on disk, independent of the directory a command was started from. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const localDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(localDir, '..');

/** The default data directory, `.data/` at the repository root (git-ignored). */
export const defaultDataDir = join(repoRoot, '.data');

/**
 * Finds an installed package's folder the way Node does (walking up `node_modules`). Some packages
 * (fauxqs) export neither `package.json` nor a `require` condition, so `require.resolve` cannot do it.
 */
export function packageDir(name: string, from = repoRoot): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Package ${name} is not installed: run npm install`);
  }
}
