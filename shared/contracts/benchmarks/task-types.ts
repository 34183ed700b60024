import * as v from 'valibot';

/** A benchmark's kind of task. Its own module: the request schemas and the response schemas both use it. */
export const taskTypes = ['exact_answer', 'multiple_choice', 'free_text', 'classification'] as const;
export const TaskTypeSchema = v.picklist(taskTypes, `must be one of: ${taskTypes.join(', ')}`);
export type TaskType = v.InferOutput<typeof TaskTypeSchema>;
