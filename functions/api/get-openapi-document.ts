import { publicRoute } from '#shared/http/route.js';

// Placeholder until the generated document lands (issue #6).
export const handler = publicRoute(async () => ({ statusCode: 501, body: { code: 'not_implemented', message: 'Not yet' } }));
