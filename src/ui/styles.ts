/**
 * Meter styles, shared by the shadow-root meter and the popup. Light unless dark: on a trading
 * page the exchange's own theme decides (the host's data-theme, set by the content script), in
 * the popup the OS colour scheme (the popup adds METER_DARK under its media query).
 * Every text colour meets WCAG AA (4.5:1) on its background in both themes: each phase has a
 * light (--fm-l) and a dark (--fm-d) accent, the theme picks one (test/e2e/a11y.e2e.ts runs axe).
 */
export const METER_DARK = '--fm-bg:#181a20;--fm-fg:#eaecef;--fm-muted:#848e9c;--fm-border:#2b3139;--fm-pos:#0ecb81;--fm-neg:#f6465d;--fm-oi:#6ea8fe;--fm-accent:var(--fm-d)';
export const METER_CSS = `
.fm-meter {
  --fm-bg: #fff; --fm-fg: #1e2329; --fm-muted: #5e6673; --fm-border: #eaecef; --fm-pos: #04734a; --fm-neg: #c62641; --fm-oi: #1f5fbf;
  --fm-l: #5e6673; --fm-d: #848e9c; --fm-accent: var(--fm-l);
  box-sizing: border-box; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fm-fg); background: var(--fm-bg); border: 1px solid var(--fm-border); border-left: 3px solid var(--fm-accent);
  border-radius: 6px; padding: 6px 8px; display: flex; flex-direction: column; gap: 4px; min-width: 240px; max-width: 100%;
}
:host([data-theme="dark"]) .fm-meter { ${METER_DARK} }
.fm-phase-calm { --fm-l: #04734a; --fm-d: #0ecb81; } .fm-phase-crowded { --fm-l: #7a5c00; --fm-d: #f0b90b; }
.fm-phase-flushing { --fm-l: #c62641; --fm-d: #f6465d; } .fm-phase-exhaustion { --fm-l: #1f5fbf; --fm-d: #3d8bfd; }
.fm-phase-releveraging { --fm-l: #9c4f00; --fm-d: #e8832a; } .fm-phase-continuation { --fm-l: #9b2443; --fm-d: #f07a98; }
.fm-row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.fm-title { font-weight: 600; }
.fm-phase { font-weight: 700; color: var(--fm-accent); white-space: nowrap; }
/* The headline (gauge, phase, 1 h liquidations, long share, toggle) never wraps: it is the one line by the order panel. */
.fm-meter > .fm-row:first-child { flex-wrap: nowrap; gap: 8px; }
.fm-meter > .fm-row:first-child .fm-toggle { margin-left: auto; }
.fm-figure { display: inline-flex; flex-direction: column; }
.fm-label { color: var(--fm-muted); font-size: 10px; text-transform: uppercase; letter-spacing: .02em; }
.fm-value { font-variant-numeric: tabular-nums; font-weight: 600; }
.fm-pos { color: var(--fm-pos); } .fm-neg { color: var(--fm-neg); }
.fm-muted { color: var(--fm-muted); }
.fm-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.fm-age { color: var(--fm-muted); font-size: 11px; margin-left: auto; }
.fm-stale { color: var(--fm-neg); }
.fm-note { color: var(--fm-muted); font-size: 10px; margin: 2px 0 0; }
.fm-toggle { all: unset; cursor: pointer; color: var(--fm-muted); padding: 0 4px; border-radius: 3px; }
.fm-toggle:focus-visible, .fm-meter input:focus-visible { outline: 2px solid var(--fm-accent); }
.fm-gauge path { fill: none; stroke-width: 4; stroke-linecap: round; }
.fm-gauge-track { stroke: var(--fm-border); } .fm-gauge-fill { stroke: var(--fm-accent); }
.fm-gauge-value { fill: var(--fm-fg); font-size: 9px; font-weight: 600; font-variant-numeric: tabular-nums; }
.fm-expanded { display: flex; flex-direction: column; gap: 6px; border-top: 1px solid var(--fm-border); padding-top: 6px; }
.fm-expanded h2 { font-size: 11px; margin: 0 0 2px; color: var(--fm-muted); font-weight: 600; }
.fm-reasons { margin: 0; padding: 0; list-style: none; }
.fm-reasons li { font-size: 11px; } .fm-unmet { color: var(--fm-muted); }
.fm-grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 4px 8px; }
.fm-venues { border-collapse: collapse; width: 100%; font-size: 11px; font-variant-numeric: tabular-nums; }
.fm-venues th { color: var(--fm-muted); font-weight: 600; text-align: left; }
.fm-venues td, .fm-venues th { padding: 1px 4px 1px 0; }
.fm-risk input { width: 52px; margin-left: 4px; font: inherit; color: inherit; background: transparent; border: 1px solid var(--fm-border); border-radius: 3px; padding: 1px 3px; }
.fm-risk p { margin: 2px 0 0; }
.fm-levels { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-size: 11px; } .fm-levels[hidden] { display: none; }
.fm-levelmap ol { list-style: none; margin: 0; padding: 0; }
.fm-band { display: flex; gap: 6px; align-items: center; font-variant-numeric: tabular-nums; }
.fm-band-range { width: 52px; } .fm-band-usd { width: 64px; text-align: right; }
.fm-band-bar { flex: 1; height: 8px; } .fm-band-bar span { display: block; height: 100%; }
.fm-band-long .fm-band-bar span { background: var(--fm-neg); } .fm-band-short .fm-band-bar span { background: var(--fm-pos); }
.fm-below-price { border-top: 1px dashed var(--fm-fg); }
.fm-warn { color: var(--fm-neg); font-weight: 600; }
`;
