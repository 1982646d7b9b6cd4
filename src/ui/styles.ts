/** Meter styles, shared by the shadow-root meter and the popup. Colours follow the page's colour scheme. */
export const METER_CSS = `
:host { all: initial; }
.fm-meter {
  --fm-bg: #ffffff; --fm-fg: #1e2329; --fm-muted: #707a8a; --fm-border: #eaecef;
  --fm-pos: #0ecb81; --fm-neg: #f6465d;
  box-sizing: border-box; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fm-fg); background: var(--fm-bg); border: 1px solid var(--fm-border); border-radius: 6px;
  padding: 6px 8px; display: flex; flex-direction: column; gap: 4px; min-width: 240px;
}
@media (prefers-color-scheme: dark) {
  .fm-meter { --fm-bg: #181a20; --fm-fg: #eaecef; --fm-muted: #848e9c; --fm-border: #2b3139; }
}
.fm-row { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.fm-title { font-weight: 600; }
.fm-figures { justify-content: flex-start; gap: 10px; }
.fm-figure { display: inline-flex; flex-direction: column; }
.fm-label { color: var(--fm-muted); font-size: 10px; text-transform: uppercase; letter-spacing: .02em; }
.fm-value { font-variant-numeric: tabular-nums; font-weight: 600; }
.fm-pos { color: var(--fm-pos); } .fm-neg { color: var(--fm-neg); }
.fm-muted { color: var(--fm-muted); }
.fm-age { color: var(--fm-muted); font-size: 11px; }
.fm-stale { color: var(--fm-neg); }
.fm-note { color: var(--fm-muted); font-size: 10px; }
`;
