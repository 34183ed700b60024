import type { Model } from '../../../contracts/models/schemas.js';
import { formatDuration, formatTime } from '../format.js';
import { html, type Markup } from '../html.js';
import { metricTags, swatch, type ReportContext } from './context.js';

function parameters(model: Model): string {
  const entries = Object.entries(model.parameters ?? {}).filter(([name]) => name !== 'system_prompt');
  const text = entries.map(([name, value]) => `${name}=${Array.isArray(value) ? JSON.stringify(value) : String(value)}`).join(', ');
  return model.parameters?.system_prompt ? `${text}${text ? ', ' : ''}system prompt set` : text;
}

function modelLine(context: ReportContext, index: number): Markup {
  const entry = context.models[index]!;
  const model = entry.model;
  const label = context.comparing ? (index === 0 ? 'model 1' : 'model 2') : '';
  return html`<li>${swatch(entry.colour)}<code>${entry.id}</code>${label ? html` <span class="muted">(${label})</span>` : ''}${
    model?.baseline ? html`<span class="tag">baseline</span>` : ''
  }${
    model
      ? html`<div class="note">${model.provider}${model.provider_model_id !== entry.id ? html` · <code>${model.provider_model_id}</code>` : ''}${
          parameters(model) ? html` · ${parameters(model)}` : ''
        }</div>`
      : ''
  }</li>`;
}

function judgesLine(context: ReportContext): Markup {
  const { evaluation } = context.data;
  const judges = Object.entries(evaluation.judges ?? {});
  if (judges.length === 0) return html`<span class="muted">none (no judged metrics)</span>`;
  return html`<ul class="plain">${judges.map(([metric, judgeId]) => {
    const judge = evaluation.judge_models?.find((model) => model.model_id === judgeId);
    const summary = evaluation.results?.judges?.[metric];
    const failures = Object.entries(summary?.judge_failures ?? {});
    return html`<li><code>${metric}</code> judged by <code>${judgeId}</code>${judge ? html` <span class="muted">(${judge.provider})</span>` : ''}${
      summary?.template_id ? html` <span class="muted">· template <code>${summary.template_id}</code></span>` : ''
    }${
      summary?.judge_same_family
        ? html`<span class="tag warn" title="a judge may favour answers from its own family">same family as ${summary.same_family_models.join(', ')}</span>`
        : ''
    }${failures.length > 0 ? html` <span class="note">judge failures: ${failures.map(([code, count]) => `${code} × ${count}`).join(', ')}</span>` : ''}</li>`;
  })}</ul>`;
}

/** Who, what and when: the benchmark and its pinned content, the models, the status, and what makes the run reproducible. */
export function headerSection(context: ReportContext): Markup {
  const { evaluation, benchmark, metrics } = context.data;
  const items = evaluation.progress.total_items;
  return html`<header>
<h1>Evaluation report</h1>
<p class="subtitle"><code>${evaluation.evaluation_id}</code> <span class="badge status-${evaluation.status}" data-status="${evaluation.status}">${evaluation.status}</span> <span class="muted">· ${
    context.comparing ? 'comparison of two models' : 'single model'
  }</span></p>
</header>
<section class="overview">
<dl class="facts">
<dt>Benchmark</dt><dd>${benchmark ? html`<strong>${benchmark.name}</strong> ` : html`<span class="muted">(deleted)</span> `}<code>${evaluation.benchmark_id}</code><div class="note">version ${
    evaluation.benchmark_version
  } · ${items.toLocaleString('en-US')} items${benchmark ? html` · ${benchmark.task_type.replace(/_/g, ' ')}` : ''}</div></dd>
<dt>Content hash</dt><dd><code>${evaluation.benchmark_content_hash}</code></dd>
<dt>Models</dt><dd><ul class="plain">${context.models.map((_, index) => modelLine(context, index))}</ul></dd>
<dt>Metrics</dt><dd>${
    metrics.length > 0
      ? metrics.map((metric, index) => html`${index > 0 ? ', ' : ''}<code>${metric.name}</code>${metricTags(metric)}`)
      : html`<span class="muted">unknown</span>`
  }</dd>
<dt>Created</dt><dd>${formatTime(evaluation.created_at)}</dd>
<dt>Started</dt><dd>${formatTime(evaluation.started_at)}</dd>
<dt>${evaluation.status === 'cancelled' ? 'Cancelled' : 'Completed'}</dt><dd>${formatTime(evaluation.completed_at)}${
    evaluation.completed_at && evaluation.started_at
      ? html` <span class="muted">(ran ${formatDuration(evaluation.started_at, evaluation.completed_at)})</span>`
      : ''
  }</dd>
</dl>
<h3 class="spaced">Provenance</h3>
<dl class="facts provenance">
<dt>Resampling seed</dt><dd>${
    evaluation.results
      ? html`<code>${evaluation.results.seed}</code> <span class="note">(bootstrap and permutation draws; derived from the evaluation id)</span>`
      : html`<span class="muted">set when the results are computed</span>`
  }</dd>
<dt>Generation seeds</dt><dd>${
    context.models.some((model) => model.model?.parameters?.seed !== undefined)
      ? context.models.map((model, index) => html`${index > 0 ? ' · ' : ''}<code>${model.id}</code>: ${model.model?.parameters?.seed ?? 'none'}`)
      : html`<span class="muted">none set (providers sample freely)</span>`
  }</dd>
<dt>Judge models</dt><dd>${judgesLine(context)}</dd>
<dt>Arbiter</dt><dd>version <code>${context.data.arbiterVersion}</code> <span class="note">(the version that rendered this report)</span></dd>
</dl>
</section>`;
}
