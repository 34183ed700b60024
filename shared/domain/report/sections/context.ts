import type { ModelResults } from '../../../contracts/evaluations/result-types.js';
import type { Model } from '../../../contracts/models/schemas.js';
import { modelColour } from '../charts/palette.js';
import { html, type Markup } from '../html.js';
import type { ReportData, ReportMetric } from '../report-data.js';

export interface ReportModel {
  id: string;
  colour: string;
  /** The model as resolved at creation, when the record has it. */
  model?: Model;
  results?: ModelResults;
}

/** What every section reads: the data, plus each model's colour and results looked up once. */
export interface ReportContext {
  data: ReportData;
  models: ReportModel[];
  comparing: boolean;
  /** Metrics scored per answer, in the evaluation's order. */
  perAnswer: ReportMetric[];
}

export function reportContext(data: ReportData): ReportContext {
  const { evaluation } = data;
  const ids = [evaluation.model_id, ...(evaluation.model_id_2 ? [evaluation.model_id_2] : [])];
  return {
    data,
    models: ids.map((id, index) => ({
      id,
      colour: modelColour(index),
      ...withDefined(
        'model',
        evaluation.models.find((model) => model.model_id === id),
      ),
      ...withDefined(
        'results',
        evaluation.results?.models.find((model) => model.model_id === id),
      ),
    })),
    comparing: ids.length > 1,
    perAnswer: data.metrics.filter((metric) => metric.kind !== 'pairwise'),
  };
}

const withDefined = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export const swatch = (colour: string) => html`<span class="swatch" style="background:${colour}"></span>`;

export function modelLegend(context: ReportContext): Markup {
  return html`<div class="legend">${context.models.map(
    (model) =>
      html`<span>${swatch(model.colour)}<code>${model.id}</code>${model.model?.baseline ? html`<span class="tag">baseline</span>` : ''}</span>`,
  )}</div>`;
}

/** Small tags saying how to read a metric: judged, pass/fail, lower is better. */
export function metricTags(metric: ReportMetric): Markup {
  return html`${metric.kind === 'judge' ? html`<span class="tag">judged</span>` : ''}${metric.kind === 'pairwise' ? html`<span class="tag">pairwise, judged</span>` : ''}${
    metric.binary ? html`<span class="tag">pass/fail</span>` : ''
  }${metric.higherIsBetter ? '' : html`<span class="tag">lower is better</span>`}`;
}
