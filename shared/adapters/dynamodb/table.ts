import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One table and the client that reaches it: what each record module of a store reads and writes. */
export interface Table {
  client: DynamoDBDocumentClient;
  tableName: string;
}
