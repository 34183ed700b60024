/**
 * AWS SDK clients, created once per container and shared by every module that needs them. Endpoints come
 * from the SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS), which is how the local
 * stack points the same code at DynamoDB Local and the SQS emulator.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

export const dynamoDbClient = new DynamoDBClient({});

export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const sqsClient = new SQSClient({});
