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

/** A JSON call to the API with a bearer key; anything but 2xx throws with the answer, so a bench stops loudly. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<any>;

export function apiCaller(apiUrl: string, apiKey: string): ApiCall {
  return async (method, path, body) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json().catch(() => undefined)) as any;
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
}

/** Appends `total` sums ("What is a + b?") to a benchmark in pages of 1,000, the append route's batch. */
export async function appendSums(call: ApiCall, benchmarkId: string, total: number): Promise<void> {
  for (let first = 0; first < total; first += 1000) {
    const items = Array.from({ length: Math.min(1000, total - first) }, (_, i) => {
      const a = (first + i) % 500;
      const b = (first + i) % 37;
      return { input: `What is ${a} + ${b}?`, expected: String(a + b) };
    });
    await call('POST', `/api/v3/benchmarks/${benchmarkId}/items`, { items });
  }
}
