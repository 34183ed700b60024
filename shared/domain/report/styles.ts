/** The page's only style sheet, inlined: system fonts, no web fonts, no images. */
export const styles = `
:root { color-scheme: light; --text: #1d2330; --muted: #5b6475; --line: #e3e6ec; --panel: #ffffff; --page: #f5f6f9; --accent: #2f6bd8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 12px; }
h3 { font-size: 14px; margin: 0 0 6px; }
h3.spaced { margin-top: 16px; }
p { margin: 0 0 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px; margin: 16px 0; }
.subtitle { color: var(--muted); margin-bottom: 14px; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 12.5px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; }
.status-completed { background: #e3f4e8; color: #1d6b35; }
.status-running, .status-pending { background: #e6eefc; color: #24509c; }
.status-failed { background: #fde7e7; color: #9b1c1c; }
.status-cancelled { background: #efeff2; color: #4a4f5c; }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #efeff2; color: #4a4f5c; font-size: 11.5px; margin-left: 6px; }
.tag.warn { background: #fff1d6; color: #7a4d00; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
dl.facts { display: grid; grid-template-columns: 130px 1fr; gap: 6px 18px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain li + li { margin-top: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px 12px 8px; min-width: 0; }
.card .note { margin-top: 2px; }
svg.chart { display: block; max-width: 100%; height: auto; overflow: visible; }
.card svg.chart { width: 100%; }
td svg.chart { max-width: none; }
.table-scroll { overflow-x: auto; }
svg.chart text { font-size: 12px; fill: var(--text); }
svg.chart text.tick { font-size: 10.5px; fill: var(--muted); }
svg.chart text.value { font-variant-numeric: tabular-nums; }
svg.chart text.axis-title { font-size: 10.5px; fill: var(--muted); }
svg.chart text.count { font-size: 11px; font-weight: 600; }
svg.chart text.on-colour { fill: #ffffff; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 12px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
td.nowrap { white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { font-weight: 600; white-space: nowrap; }
.verdict.none { color: var(--muted); font-weight: 500; }
.progress { display: flex; height: 10px; border-radius: 5px; background: #e8ebf1; overflow: hidden; min-width: 160px; }
.progress > span { display: block; height: 100%; background: var(--accent); }
.progress > span.failed { background: #d64545; }
.progress-grid { display: grid; grid-template-columns: minmax(140px, 260px) 1fr max-content; gap: 10px 14px; align-items: center; margin: 8px 0; }
.progress-row { display: contents; }
.error-box { border-left: 4px solid #d64545; background: #fdf2f2; padding: 10px 14px; border-radius: 4px; margin: 12px 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 11em; overflow: auto; font-size: 13px; }
.disagreements td { min-width: 120px; }
.disagreements td.pos { min-width: 0; }
.scores { font-size: 12px; color: var(--muted); margin-top: 6px; }
.failed-answer { color: #9b1c1c; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; text-align: center; }
@media print { body { background: #ffffff; } section { break-inside: avoid; border-color: #cfd4dc; } }
`;
