/**
 * Every row of every table of a local stack, read with the real SDK, so a test can prove that a run of
 * requests wrote nothing at all: not a record, not a counter, not an index attribute.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions, type TableName } from '#shared/contracts/resources.js';

/** Per table (by logical name), its rows as canonical JSON, sorted by key. */
export type TableSnapshot = Record<TableName, string[]>;

/** JSON with object keys sorted, so two reads of the same row compare equal as strings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Uint8Array) && !(inner instanceof Set)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner instanceof Set
        ? [...inner].sort()
        : inner,
  );
}

async function scanAll(client: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/**
 * Scans every table in `shared/contracts/resources.ts`, so a table added there is covered without touching this file.
 * `excludeRow` leaves out rows a test allows to change (a tenant whose writes are part of the test).
 */
export async function snapshotTables(
  client: DynamoDBDocumentClient,
  env: Record<string, string>,
  options: { excludeRow?: (canonicalRow: string) => boolean } = {},
): Promise<TableSnapshot> {
  const names = Object.keys(tableDefinitions) as TableName[];
  const entries = await Promise.all(
    names.map(async (name) => {
      const tableName = env[tableDefinitions[name].envVar];
      if (!tableName) throw new Error(`The stack's environment has no ${tableDefinitions[name].envVar}`);
      const rows = (await scanAll(client, tableName))
        .map(canonical)
        .filter((row) => !options.excludeRow?.(row))
        .sort();
      return [name, rows] as const;
    }),
  );
  return Object.fromEntries(entries) as TableSnapshot;
}

/** What changed between two snapshots, table by table, as lines a person can read (empty when nothing). */
export function describeChanges(before: TableSnapshot, after: TableSnapshot, maxLines = 20): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(before) as TableName[]) {
    const was = new Set(before[name]);
    const is = new Set(after[name] ?? []);
    for (const row of is) if (!was.has(row)) lines.push(`${name}: + ${row.slice(0, 300)}`);
    for (const row of was) if (!is.has(row)) lines.push(`${name}: - ${row.slice(0, 300)}`);
  }
  return lines.length > maxLines ? [...lines.slice(0, maxLines), `… and ${lines.length - maxLines} more`] : lines;
}
