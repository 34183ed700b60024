/** A Lambda `Context` for handlers run locally, with a real deadline behind `getRemainingTimeInMillis`. */
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { localRegion } from './aws-local.js';

export interface LambdaContextOptions {
  functionId: string;
  timeoutSeconds: number;
  memorySizeMb?: number;
}

export function createLambdaContext(options: LambdaContextOptions): Context {
  const functionName = `arbiter-local-${options.functionId}`;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('The callback-style context methods are not supported: return a promise instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${localRegion}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memorySizeMb ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** API Gateway gives up on an integration after 30 s, so that is all the time an API handler has. */
export const apiTimeoutSeconds = 30;
