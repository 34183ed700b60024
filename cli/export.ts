import { call, type Api } from './api.js';
import { CliError } from './errors.js';

export type ExportFormat = 'csv' | 'jsonl';

/** The response header that continues an export cut at the service's size limit. */
export const nextCursorHeader = 'x-arbiter-next-cursor';

export interface ExportFilters {
  failed?: boolean;
  modelId?: string;
}

/**
 * Every result of an evaluation as CSV or JSONL, handed to `write` response by response: the service
 * stops a response before Lambda's size limit and names the cursor that continues it, which is followed
 * here until nothing is left. Continued CSV responses repeat the header row; it is written once.
 * Answers the number of responses read.
 */
export async function exportResults(
  api: Api,
  evaluationId: string,
  format: ExportFormat,
  filters: ExportFilters,
  write: (text: string) => Promise<void> | void,
): Promise<number> {
  let cursor: string | undefined;
  let header: string | undefined;
  let responses = 0;
  do {
    const query = {
      format,
      ...(filters.failed ? { failed: true } : {}),
      ...(filters.modelId ? { model_id: filters.modelId } : {}),
      ...(cursor ? { cursor } : {}),
    };
    const { data, response } = await call(api, () =>
      api.client.GET('/api/v3/evaluations/{evaluation_id}/results', { params: { path: { evaluation_id: evaluationId }, query }, parseAs: 'text' }),
    );
    responses += 1;
    const text = data as string;
    if (format === 'csv') {
      const end = text.indexOf('\n');
      const first = end < 0 ? text : text.slice(0, end);
      if (header === undefined) {
        header = first;
        await write(text);
      } else if (first !== header) {
        // Only while an evaluation runs can a new metric appear; rows would no longer match the header.
        throw new CliError('the CSV columns changed between responses (is the evaluation still running?); export it again once it has finished');
      } else {
        await write(end < 0 ? '' : text.slice(end + 1));
      }
    } else {
      await write(text);
    }
    cursor = response.headers.get(nextCursorHeader) ?? undefined;
  } while (cursor);
  return responses;
}
