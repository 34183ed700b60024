/**
 * What `npm start` prints once the stack is up. The first example must work on a machine with no provider
 * keys, so it compares two network-free baselines and ends with the report; the seed's own request, which
 * needs an Anthropic key, comes second and says so.
 */
export interface BannerStack {
  apiUrl: string;
  devApiKey: string;
  sampleBenchmarkId: string;
  sampleBenchmarkIds: readonly string[];
  dataDir: string;
}

/** Single quotes for a POSIX shell, so the printed commands can be pasted as they are. */
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** The first example as shell lines: create a baseline comparison, wait for it, save its report. */
export function firstRunScript(stack: BannerStack, reportFile = 'arbiter-report.html'): string[] {
  const auth = `-H ${quote(`Authorization: Bearer ${stack.devApiKey}`)}`;
  const body = JSON.stringify({
    model_id: 'baseline:echo',
    model_id_2: 'baseline:reference',
    benchmark_id: stack.sampleBenchmarkId,
    custom_metrics: ['exact_match', 'token_f1'],
  });
  const evaluation = `${stack.apiUrl}/api/v3/evaluations/$EVALUATION_ID`;
  return [
    `EVALUATION_ID=$(curl -sS -X POST ${stack.apiUrl}/api/v3/evaluations ${auth} -H 'Content-Type: application/json' -d ${quote(body)} | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).evaluation_id')`,
    `until curl -sS ${evaluation}/status ${auth} | grep -Eq '"status":"(completed|failed|cancelled)"'; do sleep 1; done`,
    `curl -sS ${evaluation} ${auth}; echo`,
    `curl -sS -o ${quote(reportFile)} ${evaluation}/report ${auth} && echo "report: ${reportFile} (${evaluation}/report)"`,
  ];
}

export function startBanner(stack: BannerStack, inMemory: boolean): string {
  const auth = `-H ${quote(`Authorization: Bearer ${stack.devApiKey}`)}`;
  const seedBody = JSON.stringify({
    model_id: 'claude-3-sonnet-20240229',
    benchmark_id: stack.sampleBenchmarkId,
    custom_metrics: ['accuracy', 'relevance'],
  });
  return [
    '',
    `Arbiter is running at ${stack.apiUrl}`,
    `  Development API key:  ${stack.devApiKey}`,
    `  Sample benchmarks:    ${stack.sampleBenchmarkIds.join(', ')}`,
    `  Data:                 ${inMemory ? 'in memory (lost on stop)' : stack.dataDir}`,
    '',
    'Compare two built-in baselines (no provider key needed), wait for the result, save its report:',
    ...firstRunScript(stack).map((line) => `  ${line}`),
    '',
    "The seed's example request, Claude 3 Sonnet with a judged metric; it needs ANTHROPIC_API_KEY set",
    'before `npm start` (without it every item fails with credentials_missing):',
    `  curl -sS -X POST ${stack.apiUrl}/api/v3/evaluations ${auth} -H 'Content-Type: application/json' -d ${quote(seedBody)}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
