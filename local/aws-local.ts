/**
 * Constants and SDK clients for talking to the local emulators from the stack itself (creating resources,
 * polling). Handlers never use these: they build their own clients from the environment, as in Lambda.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const localRegion = 'us-east-1';
/** The emulators accept any credentials; fixed dummies keep real ones out of the local processes. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function localDynamoDbClient(endpoint: string, requestTimeoutMs?: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: localRegion,
    credentials: localCredentials,
    ...(requestTimeoutMs ? { maxAttempts: 1, requestHandler: { requestTimeout: requestTimeoutMs } } : {}),
  });
}

export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: localRegion, credentials: localCredentials });
}
