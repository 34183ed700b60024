/** The lines by which the stack's child processes announce that they are ready, parsed by `stack.ts`. */
export const apiReadyPrefix = 'ARBITER_API_READY ';
export const evaluatorReadyLine = 'ARBITER_EVALUATOR_READY';
export const seedResultPrefix = 'ARBITER_SEED_RESULT ';
export const resumeResultPrefix = 'ARBITER_RESUME_RESULT ';
