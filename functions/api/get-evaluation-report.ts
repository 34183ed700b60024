import { httpRoute } from '#shared/http/route.js';

// Placeholder until the report renderer lands (issue #6).
export const handler = httpRoute({ scope: 'evaluations:read' }, async () => ({ statusCode: 501, body: { code: 'not_implemented', message: 'Not yet' } }));
