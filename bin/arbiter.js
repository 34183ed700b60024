#!/usr/bin/env node
// The `arbiter` command. The CLI is TypeScript run as is, like the rest of the repository: tsx's loader
// is registered first, then the entry point is imported.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
