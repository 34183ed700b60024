/**
 * Writes the OpenAPI document and the typed client's types, both generated from the routes' valibot
 * schemas: `npm run generate:client`. Commit the result; a unit test fails while they are out of date.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderClientFiles } from './openapi-client-files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const [path, content] of Object.entries(await renderClientFiles())) {
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
