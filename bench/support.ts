import { readFileSync } from 'node:fs';

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc. */
export function peakMemoryMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** DynamoDB's item size: attribute names plus values (UTF-8 strings, numbers ~ digits/2 + 1, containers + 3). */
export function dynamoItemBytes(value: unknown, isTop = true): number {
  if (isTop && value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).reduce((sum, [name, inner]) => sum + Buffer.byteLength(name) + dynamoItemBytes(inner, false), 0);
  }
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/^-|\./g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, inner) => sum + 1 + dynamoItemBytes(inner, false), 0);
  return 3 + Object.entries(value as object).reduce((sum, [name, inner]) => sum + Buffer.byteLength(name) + 1 + dynamoItemBytes(inner, false), 0);
}

/** Write request units to put an item of that size (1 WRU per started KB). */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
