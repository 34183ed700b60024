/**
 * Re-drives every unfinished evaluation at once (shared/domain/evaluator/resume.ts), in its own process
 * with the handler environment, as run-seed.ts does for the seed: started by the stack when it starts
 * and after the SQS emulator was restarted, since the emulator keeps its messages in memory only.
 *
 * Output: one line `ARBITER_RESUME_RESULT {"resumed":[{"evaluation_id","status","completed","total"}…]}`.
 */
import './localhost-dns.js';
import { resumeUnfinished } from '#shared/domain/evaluator/resume.js';
import { evaluatorDeps } from '../functions/evaluator/evaluator-deps.js';
import { resumeResultPrefix } from './ready-lines.js';

const reason = process.env.ARBITER_RESUME_REASON ?? 'local_stack_start';
const { resumed } = await resumeUnfinished(evaluatorDeps, { reason });
const summary = resumed.map((evaluation) => ({
  evaluation_id: evaluation.evaluation_id,
  status: evaluation.status,
  finished: evaluation.progress.completed_items + evaluation.progress.failed_items,
  total: evaluation.progress.total_items,
}));
process.stdout.write(`${resumeResultPrefix}${JSON.stringify({ resumed: summary })}\n`);
process.exit(0);
