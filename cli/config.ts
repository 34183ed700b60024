import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** What `arbiter login` keeps. */
export interface StoredConfig {
  endpoint: string;
  api_key: string;
}

export interface Connection {
  endpoint: string;
  apiKey: string;
}

/** `ARBITER_CONFIG`, else `$XDG_CONFIG_HOME/arbiter/config.json`, else `~/.config/arbiter/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.ARBITER_CONFIG) return env.ARBITER_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'arbiter', 'config.json');
}

/** The stored config, or undefined when there is none; a file that is not ours is an error, never ignored. */
export function readConfig(path: string): Partial<StoredConfig> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    const { endpoint, api_key } = parsed as Record<string, unknown>;
    return { ...(typeof endpoint === 'string' ? { endpoint } : {}), ...(typeof api_key === 'string' ? { api_key } : {}) };
  } catch {
    throw new CliError(`the config file ${path} is not valid JSON`, undefined, ['  run `arbiter login` again to rewrite it']);
  }
}

/** Whether others than the owner may read the file (the key in it is a secret). */
export function isReadableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

/**
 * Writes the config readable by its owner only: a temporary file created 0600 and renamed over the old
 * one, so the key is never in a file others can read, not even for a moment, and a crash leaves the old one.
 */
export function writeConfig(path: string, config: StoredConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** `ARBITER_ENDPOINT` / `ARBITER_API_KEY` first, then the config file; an error saying how to log in otherwise. */
export function resolveConnection(env: NodeJS.ProcessEnv): Connection {
  const path = configPath(env);
  const stored = env.ARBITER_ENDPOINT && env.ARBITER_API_KEY ? undefined : readConfig(path);
  const endpoint = env.ARBITER_ENDPOINT || stored?.endpoint;
  const apiKey = env.ARBITER_API_KEY || stored?.api_key;
  if (!endpoint || !apiKey) {
    throw new CliError('not logged in', undefined, [
      '  run `arbiter login --endpoint URL --api-key KEY`, or set ARBITER_ENDPOINT and ARBITER_API_KEY',
    ]);
  }
  return { endpoint, apiKey };
}
