import * as v from 'valibot';
import { CountSchema } from '../primitives.js';

/**
 * Quotas an operator sets per tenant (`npm run admin -- quota set …`). Each is optional: absent means
 * unlimited. They bound what one tenant can take from a shared deployment (docs/security.md).
 */
export const quotaNames = ['active_evaluations', 'items_per_evaluation', 'monthly_spend_usd', 'requests_per_minute'] as const;

export const QuotaNameSchema = v.picklist(quotaNames);
export type QuotaName = v.InferOutput<typeof QuotaNameSchema>;

/** Counts: whole numbers of at least 1 (a limit of 0 would lock the tenant out; revoke its keys instead). */
const CountLimitSchema = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'));
/** Dollars: above 0, and finite. */
const UsdLimitSchema = v.pipe(v.number(), v.finite('must be a finite number'), v.gtValue(0, 'must be greater than 0'));

export const TenantQuotasSchema = v.strictObject({
  active_evaluations: v.optional(
    v.pipe(CountLimitSchema, v.description('Evaluations pending or running at once; a create beyond it answers 429 `quota_exceeded`.')),
  ),
  items_per_evaluation: v.optional(v.pipe(CountLimitSchema, v.description('Largest benchmark (its pinned item count) an evaluation may run on.'))),
  monthly_spend_usd: v.optional(
    v.pipe(UsdLimitSchema, v.description("Creates are refused once this UTC calendar month's recorded spend reaches it.")),
  ),
  requests_per_minute: v.optional(v.pipe(CountLimitSchema, v.description('Authenticated API requests per UTC minute (fixed window).'))),
});
export type TenantQuotas = v.InferOutput<typeof TenantQuotasSchema>;

/** What the settings record of a tenant holds. */
export const TenantSettingsSchema = v.strictObject({
  quotas: TenantQuotasSchema,
  default_budget_usd: v.optional(v.pipe(UsdLimitSchema, v.description('The `budget_usd` of a create request that gives none.'))),
});
export type TenantSettings = v.InferOutput<typeof TenantSettingsSchema>;

/** A settings change: the values to set; what it leaves out stays as it was. */
export const TenantSettingsPatchSchema = v.strictObject({
  ...TenantQuotasSchema.entries,
  default_budget_usd: TenantSettingsSchema.entries.default_budget_usd,
});
export type TenantSettingsPatch = v.InferOutput<typeof TenantSettingsPatchSchema>;

/** What `quota clear` may remove: a quota, or the default budget. */
export const settingNames = [...quotaNames, 'default_budget_usd'] as const;
export const SettingNameSchema = v.picklist(settingNames);
export type SettingName = v.InferOutput<typeof SettingNameSchema>;

/** Tenant ids as the api-key tool issues them. */
export const TenantIdSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -, at most 63 characters'));

/** A UTC calendar month, `YYYY-MM`. */
export const MonthSchema = v.pipe(
  v.string(),
  v.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM'),
  v.description('A UTC calendar month; the current one by default.'),
  v.examples(['2026-12']),
);

export const UsageQuerySchema = v.object({ month: v.optional(MonthSchema) });
export type UsageQuery = v.InferOutput<typeof UsageQuerySchema>;

const TokensSchema = v.strictObject({ input_tokens: CountSchema, output_tokens: CountSchema });
const UsdSchema = v.pipe(v.number(), v.minValue(0));

export const ModelUsageSchema = v.strictObject({
  model_id: v.string(),
  cost_usd: v.pipe(UsdSchema, v.description('Sum of the priced evaluations; an unpriced model adds nothing.')),
  ...TokensSchema.entries,
  evaluations: v.pipe(CountSchema, v.description('Finished evaluations that used the model.')),
});

export const JudgeUsageSchema = v.strictObject({
  judge_model_id: v.string(),
  cost_usd: UsdSchema,
  ...TokensSchema.entries,
  evaluations: CountSchema,
});

const QuotaStateSchema = v.strictObject({
  limit: v.pipe(v.nullable(v.number()), v.description('`null`: no limit set.')),
  current: v.pipe(v.nullable(v.number()), v.description('Where the tenant stands now; `null` where nothing is counted.')),
});

export const UsageViewSchema = v.strictObject({
  month: MonthSchema,
  spend_usd: v.pipe(UsdSchema, v.description("Models' and judges' cost of the evaluations that finished this month with results.")),
  tokens: TokensSchema,
  by_model: v.array(ModelUsageSchema),
  by_judge: v.array(JudgeUsageSchema),
  evaluations: v.strictObject({
    created: v.pipe(CountSchema, v.description('Created this month.')),
    completed: v.pipe(CountSchema, v.description('Reached `completed` this month.')),
    failed: CountSchema,
    cancelled: CountSchema,
    active: v.pipe(CountSchema, v.description('Pending or running now (whatever the month asked for).')),
  }),
  quotas: v.strictObject({
    active_evaluations: QuotaStateSchema,
    items_per_evaluation: QuotaStateSchema,
    monthly_spend_usd: QuotaStateSchema,
    requests_per_minute: QuotaStateSchema,
  }),
  default_budget_usd: v.nullable(v.number()),
});
export type UsageView = v.InferOutput<typeof UsageViewSchema>;

/** The body of a 429 `quota_exceeded`: the error shape every route answers, plus which quota and where it stands. */
export const QuotaExceededBodySchema = v.strictObject({
  code: v.literal('quota_exceeded'),
  message: v.string(),
  errors: v.optional(v.array(v.strictObject({ path: v.string(), message: v.string() }))),
  quota: QuotaNameSchema,
  limit: v.number(),
  current: v.optional(v.number()),
});
export type QuotaExceededBody = v.InferOutput<typeof QuotaExceededBodySchema>;
