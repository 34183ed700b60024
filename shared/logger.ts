import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per container; handlers append request-scoped keys (evaluation_id, tenant_id). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'arbiter' });
