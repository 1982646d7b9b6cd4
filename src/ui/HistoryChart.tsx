/**
 * The 24 h history chart: 288 five-minute bars of liquidations (shorts up, longs down from a zero
 * line), the price and open interest as lines on their own scales, funding as a strip below. Hand
 * drawn SVG: a chart library would outweigh it, and its axes, legend and readout are plain text
 * either way. The chart takes focus: ← → move a cursor bar by bar, Home and End jump to the ends,
 * hovering moves it too; the readout below says the bar's figures in words and is announced
 * politely, so a screen reader hears what the eye sees. A figure the stores do not know is a "—"
 * that says why. In the expanded meter's lazily loaded chunk, and in the popup.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { MARKET_SCOPE } from '../core/bus';
import type { HistoryChart as ChartData } from '../core/history-chart';
import { MISSING } from '../core/i18n';
import { exchangeName } from '../core/exchanges';
import { Figure, tone } from './figure';
import { useHistoryFeed, type AskHistory } from './history-feed';
import { fmt, t } from './i18n';
import { TapeList } from './Tape';

/**
 * The chart's and the meter tape's styles, drawn with the chart (a <style> beside it, in the
 * popup and in the meter's shadow root alike): they load with this lazy module, not with the
 * page's first paint. Colours are the meter's variables (styles.ts), light and dark.
 */
export const HISTORY_CSS = `
.fm-history { display: flex; flex-direction: column; gap: 4px; border-radius: 4px; }
.fm-history:focus-visible { outline: 2px solid var(--fm-accent); outline-offset: 2px; }
.fm-hist-svg { width: 100%; height: auto; display: block; }
.fm-hist-axis { fill: var(--fm-muted); font-size: 9px; font-variant-numeric: tabular-nums; }
.fm-hist-long { fill: var(--fm-neg); background: var(--fm-neg); } .fm-hist-short { fill: var(--fm-pos); background: var(--fm-pos); }
.fm-hist-price { fill: none; stroke: var(--fm-fg); stroke-width: 1.2; } .fm-hist-oi { fill: none; stroke: var(--fm-oi); stroke-width: 1.2; stroke-dasharray: 3 2; }
.fm-hist-zero { stroke: var(--fm-muted); stroke-width: .6; } .fm-hist-grid { stroke: var(--fm-border); stroke-width: .6; }
.fm-hist-uncounted { fill: var(--fm-muted); background: var(--fm-muted); opacity: .15; }
.fm-hist-cursor { fill: var(--fm-fg); opacity: .18; pointer-events: none; }
.fm-hist-stack rect { stroke: var(--fm-bg); stroke-width: .6; pointer-events: none; } .fm-hist-stack .fm-hist-alt { opacity: .55; }
.fm-hist-legend { display: flex; flex-wrap: wrap; gap: 2px 10px; margin: 0; font-size: 10px; }
.fm-swatch { display: inline-block; width: 10px; height: 3px; margin-right: 3px; vertical-align: middle; }
.fm-swatch-price { background: var(--fm-fg); } .fm-swatch-oi { background: var(--fm-oi); } .fm-hist-partial { opacity: .4; }
.fm-hist-readout { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 2px 8px; font-size: 11px; }
.fm-hist-split { grid-column: 1 / -1; }
.fm-meter-tape h2 { margin: 0 0 2px; }
.fm-meter .tape { list-style: none; margin: 0; padding: 0; font-size: 11px; font-variant-numeric: tabular-nums; max-height: 120px; overflow-y: auto; }
.fm-meter .tape li { display: grid; grid-template-columns: 1fr 3.6em 4.6em 5.6em 3.4em; gap: 4px; }
.fm-meter .tape-where { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fm-meter .tape-sampled { color: var(--fm-muted); text-decoration: underline dotted; cursor: help; }
.fm-meter .tape .neg { color: var(--fm-neg); } .fm-meter .tape .pos { color: var(--fm-pos); } .fm-meter .tape .muted { color: var(--fm-muted); }
.fm-meter .tape:focus-visible { outline: 2px solid var(--fm-accent); }
`;

/** The drawing's coordinate box: the plot between the value axes, the funding strip under it, the time axis last. */
const W = 360;
const X0 = 44;
const X1 = 316;
const TOP = 6;
const MID = 56;
const BOTTOM = 106;
const F_TOP = 112;
const F_MID = 119;
const F_BOTTOM = 126;
const H = 140;

/** Time ticks every this many hours, on the hour (local time: the trader's clock). */
const TICK_HOURS = 6;

/** min and max of the known values, or null when none is known. */
function extent(values: ReadonlyArray<number | null>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (v !== null && Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  return lo <= hi ? [lo, hi] : null;
}

/** An SVG path through the known values, broken where a value is unknown (no line is drawn through a gap). */
function linePath(values: ReadonlyArray<number | null>, x: (i: number) => number, range: [number, number]): string {
  const [lo, hi] = range;
  const span = hi - lo || 1;
  let path = '';
  let open = false;
  for (const [i, v] of values.entries()) {
    if (v === null || !Number.isFinite(v)) {
      open = false;
      continue;
    }
    const y = BOTTOM - 4 - ((v - lo) / span) * (BOTTOM - TOP - 8);
    path += `${open ? 'L' : 'M'}${x(i).toFixed(1)} ${y.toFixed(1)}`;
    open = true;
  }
  return path;
}

/** Bars on the hour every TICK_HOURS hours: the time axis's ticks. */
function timeTicks(chart: ChartData): number[] {
  const ticks: number[] = [];
  for (let i = 0; i < chart.long.length; i++) {
    const at = new Date(chart.start + i * chart.barMs);
    if (at.getMinutes() === 0 && at.getHours() % TICK_HOURS === 0) ticks.push(i);
  }
  return ticks;
}

/** Whether bar i's open interest sums fewer series than the day knows (a venue's OI unknown then). */
function partialOi(chart: ChartData, i: number): boolean {
  return chart.oi[i] !== null && chart.oiCount[i]! < chart.oiSeries;
}

/** Whether bar i ended before liquidations were counted (install, the browser closed): its zeros are not known zeros. */
function uncounted(chart: ChartData, i: number): boolean {
  return chart.countedFrom !== null && chart.start + (i + 1) * chart.barMs <= chart.countedFrom;
}

export interface HistoryChartProps {
  chart: ChartData;
  /** The scope in words ("All markets", "BTC"). */
  scopeName: string;
}

export function HistoryChart({ chart, scopeName }: HistoryChartProps) {
  const n = chart.long.length;
  // The cursor's bar by its start time, so it stays on its bar as new bars come; null: the newest bar, following them.
  const [cursor, setCursor] = useState<number | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  const at = cursor === null ? n - 1 : Math.max(0, Math.min(n - 1, Math.round((cursor - chart.start) / chart.barMs)));
  const f = fmt();
  const isMarket = chart.scope === MARKET_SCOPE;
  const drawn = useMemo(() => drawing(chart), [chart]);
  const move = (to: number) => setCursor(to >= n - 1 ? null : chart.start + Math.max(0, to) * chart.barMs);
  const onKey = (event: KeyboardEvent) => {
    const to = event.key === 'ArrowLeft' ? at - 1 : event.key === 'ArrowRight' ? at + 1 : event.key === 'Home' ? 0 : event.key === 'End' ? n - 1 : null;
    if (to === null) return;
    event.preventDefault();
    // The exchange's own hotkeys never see the chart's keys.
    event.stopPropagation();
    move(to);
  };
  const onPointer = (event: PointerEvent) => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    const x = ((event.clientX - box.left) / box.width) * W;
    move(Math.min(n - 1, Math.floor((x - X0) / drawn.barWidth)));
  };
  return (
    <div class="fm-history" data-field="sparkline" data-cursor={at} tabIndex={0} role="group" aria-label={t('historyAria', [scopeName])} onKeyDown={onKey}>
      <svg ref={svg} viewBox={`0 0 ${W} ${H}`} class="fm-hist-svg" onPointerMove={onPointer} onPointerDown={onPointer}>
        {drawn.uncountedTo > 0 ? <rect class="fm-hist-uncounted" x={X0} y={TOP} width={drawn.uncountedTo * drawn.barWidth} height={F_BOTTOM - TOP} /> : null}
        {drawn.ticks.map((i) => (
          <line key={i} class="fm-hist-grid" x1={drawn.x(i)} x2={drawn.x(i)} y1={TOP} y2={F_BOTTOM} />
        ))}
        <g data-field="bars">
          {drawn.bars}
        </g>
        <line class="fm-hist-zero" x1={X0} x2={X1} y1={MID} y2={MID} />
        {drawn.oiPath ? <path class="fm-hist-oi" d={drawn.oiPath} data-field="oi-line" /> : null}
        {drawn.oiPartialPath ? <path class="fm-hist-oi fm-hist-partial" d={drawn.oiPartialPath} data-field="oi-partial-line" /> : null}
        {drawn.pricePath ? <path class="fm-hist-price" d={drawn.pricePath} data-field="price-line" /> : null}
        <g data-field="funding">{drawn.funding}</g>
        <line class="fm-hist-zero" x1={X0} x2={X1} y1={F_MID} y2={F_MID} />
        <rect class="fm-hist-cursor" x={drawn.x(at)} y={TOP} width={Math.max(drawn.barWidth, 1.5)} height={F_BOTTOM - TOP} />
        <VenueStack chart={chart} at={at} drawn={drawn} />
        <Axes chart={chart} drawn={drawn} />
        {drawn.empty ? (
          <text class="fm-hist-axis" x={(X0 + X1) / 2} y={MID - 6} text-anchor="middle" data-field="empty">
            {t('historyEmpty')}
          </text>
        ) : null}
      </svg>
      <Legend drawn={drawn} isMarket={isMarket} />
      <Readout chart={chart} at={at} isMarket={isMarket} />
      <p class="fm-note">{t('historyKeys')}</p>
    </div>
  );
}

type Drawing = ReturnType<typeof drawing>;

/** A bar is under a pixel wide: the cursor's bar is stacked by venue this wide, centred on it. */
const STACK_WIDTH = 7;

/**
 * The cursor's bar stacked by venue, where the store keeps the split (the last 2 h): shorts up,
 * longs down, one block per venue in the readout's order, alternate venues in a lighter shade.
 * The readout names them; the blocks only show the proportions.
 */
function VenueStack({ chart, at, drawn }: { chart: ChartData; at: number; drawn: Drawing }) {
  const split = chart.split[at];
  if (!split || drawn.usdMax === 0) return null;
  const x = Math.min(X1 - STACK_WIDTH, Math.max(X0, drawn.x(at) + drawn.barWidth / 2 - STACK_WIDTH / 2));
  const blocks = [];
  let up = MID;
  let down = MID;
  let shade = 0;
  for (const [v, venue] of chart.venues.entries()) {
    const short = (split[v * 2 + 1]! / drawn.usdMax) * (MID - TOP);
    const long = (split[v * 2]! / drawn.usdMax) * (BOTTOM - MID);
    if (short <= 0 && long <= 0) continue;
    const cls = shade++ % 2 ? ' fm-hist-alt' : '';
    if (short > 0) blocks.push(<rect key={`s${venue}`} class={`fm-hist-short${cls}`} data-venue={venue} data-side="short" x={x} y={(up -= short)} width={STACK_WIDTH} height={short} />);
    if (long > 0) blocks.push(<rect key={`l${venue}`} class={`fm-hist-long${cls}`} data-venue={venue} data-side="long" x={x} y={down} width={STACK_WIDTH} height={long} />);
    down += long;
  }
  return blocks.length ? <g class="fm-hist-stack" data-field="venue-stack" aria-hidden="true">{blocks}</g> : null;
}

/** The value axes (USD of liquidations left, the price, for the market open interest, right) and the time axis, as text. */
function Axes({ chart, drawn }: { chart: ChartData; drawn: Drawing }) {
  const f = fmt();
  return (
    <>
      <g class="fm-hist-axis" data-field="value-axis">
        <text x={X0 - 3} y={TOP + 7} text-anchor="end">{drawn.usdMax > 0 ? f.usd(drawn.usdMax) : ''}</text>
        <text x={X0 - 3} y={MID + 3} text-anchor="end">{f.usd(0)}</text>
        <text x={X0 - 3} y={BOTTOM} text-anchor="end">{drawn.usdMax > 0 ? f.usd(drawn.usdMax) : ''}</text>
        <text x={X0 - 3} y={F_MID + 3} text-anchor="end">{t('historyFundingAxis')}</text>
        {drawn.right ? (
          <>
            <text x={X1 + 3} y={TOP + 7} data-field="right-max">{drawn.right.format(drawn.right.range[1])}</text>
            <text x={X1 + 3} y={BOTTOM} data-field="right-min">{drawn.right.format(drawn.right.range[0])}</text>
          </>
        ) : null}
      </g>
      <g class="fm-hist-axis" data-field="time-axis">
        {drawn.ticks.map((i) => (
          <text key={i} x={drawn.x(i)} y={H - 3} text-anchor="middle">
            {f.clock(chart.start + i * chart.barMs)}
          </text>
        ))}
      </g>
    </>
  );
}

/** What each mark means, the lines' ranges, and what is drawn faint or shaded for want of data. */
function Legend({ drawn, isMarket }: { drawn: Drawing; isMarket: boolean }) {
  const f = fmt();
  return (
    <p class="fm-hist-legend">
      <span><i class="fm-swatch fm-hist-short" aria-hidden="true" />{t('historyShortsUp')}</span>
      <span><i class="fm-swatch fm-hist-long" aria-hidden="true" />{t('historyLongsDown')}</span>
      {isMarket ? null : <span><i class="fm-swatch fm-swatch-price" aria-hidden="true" />{t('historyPrice')}</span>}
      <span data-field="oi-legend"><i class="fm-swatch fm-swatch-oi" aria-hidden="true" />{drawn.oiRange ? t('historyOiRange', [f.usd(drawn.oiRange[0]), f.usd(drawn.oiRange[1])]) : t('historyOi')}</span>
      {drawn.oiPartialPath ? <span data-field="oi-partial-legend"><i class="fm-swatch fm-swatch-oi fm-hist-partial" aria-hidden="true" />{t('historyOiPartialLegend')}</span> : null}
      {drawn.uncountedTo > 0 ? <span><i class="fm-swatch fm-hist-uncounted" aria-hidden="true" />{t('historyNotCounted')}</span> : null}
    </p>
  );
}

/** Everything drawn from the chart's data (once per answer, not per cursor move). */
function drawing(chart: ChartData) {
  const n = chart.long.length;
  const barWidth = (X1 - X0) / n;
  const x = (i: number) => X0 + i * barWidth;
  let usdMax = 0;
  for (let i = 0; i < n; i++) usdMax = Math.max(usdMax, chart.long[i]!, chart.short[i]!);
  const bars = [];
  const up = MID - TOP;
  const down = BOTTOM - MID;
  for (let i = 0; i < n && usdMax > 0; i++) {
    const short = (chart.short[i]! / usdMax) * up;
    const long = (chart.long[i]! / usdMax) * down;
    if (short > 0) bars.push(<rect key={`s${i}`} class="fm-hist-short" x={x(i)} y={MID - short} width={barWidth} height={short} />);
    if (long > 0) bars.push(<rect key={`l${i}`} class="fm-hist-long" x={x(i)} y={MID} width={barWidth} height={long} />);
  }
  const fundingRange = extent(chart.funding8h);
  const fundingMax = fundingRange ? Math.max(Math.abs(fundingRange[0]), Math.abs(fundingRange[1])) : 0;
  const funding = [];
  for (let i = 0; i < n && fundingMax > 0; i++) {
    const rate = chart.funding8h[i];
    if (rate === null || rate === undefined || rate === 0) continue;
    const h = (Math.abs(rate) / fundingMax) * (F_MID - F_TOP);
    funding.push(<rect key={i} class={rate > 0 ? 'fm-hist-short' : 'fm-hist-long'} x={x(i)} y={rate > 0 ? F_MID - h : F_MID} width={barWidth} height={h} />);
  }
  const priceRange = extent(chart.price);
  const oiRange = extent(chart.oi);
  let uncountedTo = 0;
  while (uncountedTo < n && uncounted(chart, uncountedTo)) uncountedTo++;
  const f = fmt();
  const priceFormat = new Intl.NumberFormat(f.locale, { maximumSignificantDigits: 6 });
  // The right axis: the price where there is one; the market (no price) scales it to open interest.
  const right = priceRange ? { range: priceRange, format: (v: number) => priceFormat.format(v) } : oiRange ? { range: oiRange, format: (v: number) => f.usd(v) } : null;
  return {
    barWidth,
    x,
    usdMax,
    bars,
    funding,
    ticks: timeTicks(chart),
    pricePath: priceRange ? linePath(chart.price, (i) => x(i) + barWidth / 2, priceRange) : '',
    // Where a venue's open interest is unknown the sum is partial: drawn faint, apart from the full sums, never joined to them as one line.
    oiPath: oiRange ? linePath(chart.oi.map((v, i) => (partialOi(chart, i) ? null : v)), (i) => x(i) + barWidth / 2, oiRange) : '',
    oiPartialPath: oiRange ? linePath(chart.oi.map((v, i) => (partialOi(chart, i) ? v : null)), (i) => x(i) + barWidth / 2, oiRange) : '',
    oiRange,
    right,
    uncountedTo,
    empty: usdMax === 0,
  };
}

/** One bar's figures in words: time, longs, shorts, per venue, price, open interest, funding. */
function Readout({ chart, at, isMarket }: { chart: ChartData; at: number; isMarket: boolean }) {
  const f = fmt();
  const from = chart.start + at * chart.barMs;
  const last = at === chart.long.length - 1;
  const time = last ? t('historyBarNow', [f.clock(from)]) : t('historyBar', [f.clock(from), f.clock(from + chart.barMs)]);
  const notCounted = uncounted(chart, at);
  const whyNotCounted = () => t('whyHistoryNotCounted', [f.clock(chart.countedFrom)]);
  // A bar a sampled feed filled is a lower bound ("≥ $1.2M"), as the meter's totals are.
  const usd = (value: number) => (notCounted ? MISSING : f.usdBound(value, chart.lowerBound[at] === true));
  const price = chart.price[at] ?? null;
  const oi = chart.oi[at] ?? null;
  const partial = oi !== null && chart.oiCount[at]! < chart.oiSeries;
  const oiText = oi === null ? MISSING : partial ? t('historyOiPartial', [f.usd(oi), f.count(chart.oiCount[at]), f.count(chart.oiSeries)]) : f.usd(oi);
  const funding = chart.funding8h[at] ?? null;
  return (
    <div class="fm-hist-readout" aria-live="polite" aria-atomic="true" data-field="readout">
      <Figure label={t('historyTime')} field="hist-time" value={time} />
      <Figure label={t('historyLongs')} field="hist-long" value={usd(chart.long[at]!)} tone="neg" why={whyNotCounted} />
      <Figure label={t('historyShorts')} field="hist-short" value={usd(chart.short[at]!)} tone="pos" why={whyNotCounted} />
      <Figure label={t('historyPrice')} field="hist-price" value={price === null ? MISSING : new Intl.NumberFormat(f.locale, { maximumSignificantDigits: 6 }).format(price)} why={() => t(isMarket ? 'whyHistoryMarketPrice' : 'whyHistoryNoPrice')} />
      <Figure label={t('historyOi')} field="hist-oi" value={oiText} why={() => t('whyHistoryNoOi')} />
      <Figure label={t('historyFunding')} field="hist-funding" value={f.rate(funding)} tone={tone(funding)} why={() => t('whyHistoryNoFunding')} />
      <span class="fm-hist-split">
        <Figure label={t('historyByVenue')} field="hist-split" value={notCounted ? MISSING : splitText(chart, at)} why={() => (notCounted ? whyNotCounted() : t('historyNoSplit'))} />
      </span>
    </div>
  );
}

/** The bar's per-venue part ("Binance $1.2M long / $0 short · OKX …"), "none" without liquidations, "—" where the split is not kept. */
function splitText(chart: ChartData, at: number): string {
  const split = chart.split[at];
  if (!split) return MISSING;
  const f = fmt();
  const parts: string[] = [];
  for (const [v, venue] of chart.venues.entries()) {
    const long = split[v * 2]!;
    const short = split[v * 2 + 1]!;
    const sampled = chart.sampledVenues.includes(venue);
    if (long > 0 || short > 0) parts.push(t('historyVenueSplit', [exchangeName(venue), f.usdBound(long, sampled), f.usdBound(short, sampled)]));
  }
  return parts.length ? parts.join(' · ') : t('historyNoLiq');
}

/**
 * A scope's chart asked of the worker and kept fresh while it shows (history-feed.ts), with the
 * scope's live tape when `tape` is set (the expanded page meter: the page's asset's prints).
 */
export function HistoryPanel({ scope, scopeName, changed, now, tape = false, ask }: { scope: string; scopeName: string; changed: unknown; now: number; tape?: boolean; ask?: AskHistory }) {
  const feed = useHistoryFeed(scope, changed, ask);
  if (feed.state !== 'ready') {
    return (
      <div class="fm-history" data-field="sparkline" aria-busy={feed.state === 'loading'}>
        <p class="fm-note" data-field="history-status">{t(feed.state === 'loading' ? 'historyLoading' : 'historyUnavailable')}</p>
      </div>
    );
  }
  const { chart, tape: prints, tapeMinUsd } = feed.answer;
  const tapeId = `fm-tape-${scope}`;
  return (
    <>
      <style>{HISTORY_CSS}</style>
      <HistoryChart chart={chart} scopeName={scopeName} />
      {tape ? (
        <section class="fm-meter-tape" data-section="meter-tape" aria-labelledby={tapeId}>
          <h2 id={tapeId}>{t('meterTape', [scopeName])}</h2>
          {prints.length ? <TapeList prints={prints} now={now} labelledBy={tapeId} /> : <p class="fm-note" data-field="tapeEmpty">{t('popupTapeEmpty', [fmt().usd(tapeMinUsd)])}</p>}
        </section>
      ) : null}
    </>
  );
}
