/**
 * Runs the fauxqs CLI in this process, which also ends when the local stack goes away (parent-watch.ts)
 * rather than outliving a killed `npm start` or test run. Input: ARBITER_FAUXQS_CLI, the CLI's path.
 */
import { pathToFileURL } from 'node:url';
import { localStackConfig } from '#shared/platform/config.js';
import { onParentExit } from './parent-watch.js';

const cli = localStackConfig.fauxqsCli;

onParentExit(() => process.exit(0));
await import(pathToFileURL(cli).href);
