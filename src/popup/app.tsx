/**
 * Popup, the quick check: the market's reading, one row per watched asset (opening its trading
 * page on the preferred exchange), where the meter sits on each open trading page, and each
 * venue's health. Reads storage only, so it renders at once; it asks the worker for a fresh
 * poll, and the numbers follow as they land.
 */
import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { parseScenarioClock, readingsNow } from '../background/clock';
import { MARKET_SCOPE, PLACEMENTS, sourceHealth, type BusSnapshot, type PageStatus, type SourceStatus } from '../core/bus';
import type { ScopeReading } from '../core/engine';
import type { Phase } from '../core/flush';
import { exchangeName } from '../core/exchanges';
import { defaultSettings, EFFECTIVE_SETTINGS_KEY, type Settings, type TapeSettings } from '../core/settings';
import { printKey, tapePrints } from '../core/tape';
import { sites, tradingUrl } from '../sites';
import { FIRST_DATA_MARK, followBus, readReadings, type readBus } from '../ui/bus';
import { fmt, t, uiLanguage } from '../ui/i18n';
import { HostAccess } from '../ui/host-access';
import { countingSince, fundingOf, Meter, whyNoLiq, whyNoOiChange } from '../ui/Meter';
import { followSettings } from '../ui/settings';
import { TapeList } from '../ui/Tape';
import { METER_CSS, METER_DARK } from '../ui/styles';
import { BreadthSection } from './Breadth';
import { HistorySection } from './History';
import { FigureCells, FigureHeads } from './columns';
import { RememberedOpen, useRememberedOpen } from './remembered-open';

/** Under a day of history the baselines are still floors: say so. */
const SHORT_HISTORY_MS = 24 * 3_600_000;

/** What the first storage read brought: the popup's first render shows it. */
interface FirstData {
  bus: BusSnapshot;
  settings: Settings;
  /** Which disclosures the trader left open (remembered-open.ts). */
  remembered: Record<string, unknown>;
}

function Popup({ first }: { first: FirstData }) {
  const [bus, setBus] = useState<BusSnapshot>(first.bus);
  const [settings, setSettings] = useState<Settings>(first.settings);
  const [now, setNow] = useState(Date.now());
  const [currentTab, setCurrentTab] = useState<number | null>(null);
  /** The asset whose detail is open in the breadth, if any: the history shows it instead of the market. */
  const [detail, setDetail] = useState<string | null>(null);
  const historyScope = detail ?? MARKET_SCOPE;
  useEffect(() => {
    const controller = new AbortController();
    // Later bus changes win over the first reads if they arrive before them.
    const merge = (changes: BusSnapshot) => setBus((current) => mergeBus(current, changes));
    followBus(merge, controller.signal);
    followSettings((next) => {
      setSettings(next);
      // A newly watched asset's reading was not read yet.
      void readReadings(next.watchlist).then((readings) => setBus((current) => mergeBus({ readings }, current)));
    }, controller.signal);
    // The first render had the market, sources, pages and settings; the watched assets' readings follow.
    void readReadings(first.settings.watchlist).then((readings) => setBus((current) => mergeBus({ readings }, current)));
    // Wakes the worker (if the browser stopped it) and asks for a fresh poll.
    chrome.runtime.sendMessage({ type: 'refresh' }).catch(() => undefined);
    // The tab the popup was opened over (its id needs no permission): its page is listed first.
    chrome.tabs
      .query({ active: true, currentWindow: true })
      .then(([tab]) => setCurrentTab(tab?.id ?? null))
      .catch(() => undefined);
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    return () => (controller.abort(), clearInterval(tick));
  }, []);
  const { readings = {}, sources = [] } = bus;
  const hasMarket = readings[MARKET_SCOPE] !== undefined;
  // A performance mark when the market's reading is first on screen (bench/popup.bench.ts reads it).
  useLayoutEffect(() => {
    if (hasMarket && !performance.getEntriesByName(FIRST_DATA_MARK).length) performance.mark(FIRST_DATA_MARK);
  }, [hasMarket]);
  // Readings are on the demo's scenario clock when it has one; sources' poll times on real time.
  const readingsAt = readingsNow(parseScenarioClock(bus.scenarioClock), now);
  const collectingSince = readings[MARKET_SCOPE]?.collectingSince ?? null;
  return (
    <>
      <header class="top">
        <h1>{t('extName')}</h1>
        <button type="button" class="icon" data-action="settings" aria-label={t('popupOpenSettings')} title={t('popupOpenSettings')} onClick={() => chrome.runtime.openOptionsPage()}>
          <span aria-hidden="true">⚙</span>
        </button>
      </header>
      <HostAccess />
      {collectingSince !== null && readingsAt - collectingSince < SHORT_HISTORY_MS ? (
        <p class="muted" data-field="collectingSince">
          {t('popupCollectingSince', [fmt().clock(collectingSince)])}
        </p>
      ) : null}
      <PageTable pages={openPages(bus.pages, currentTab)} currentTab={currentTab} />
      <section data-scope={MARKET_SCOPE} aria-label={t('allMarkets')}>
        <Meter asset={t('allMarkets')} reading={readings[MARKET_SCOPE]} now={readingsAt} />
      </section>
      <TapeSection tape={bus.tape} settings={settings.tape} now={readingsAt} />
      <section aria-labelledby="assets-heading">
        <h2 id="assets-heading">{t('popupWatched')}</h2>
        <AssetTable assets={settings.watchlist} scopes={readings} exchange={settings.preferredExchange} now={readingsAt} />
      </section>
      {/* After the quick check (market, tape, watched assets): the detail one click away, beside the breadth whose asset it follows. */}
      <HistorySection scope={historyScope} changed={readings[historyScope]?.computedAt ?? readings[MARKET_SCOPE]?.computedAt} now={readingsAt} />
      <BreadthSection breadth={bus.breadth} exchange={settings.preferredExchange} now={readingsAt} open={detail} onOpen={setDetail} />
      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">{t('popupSources')}</h2>
        <SourceTable sources={sources} now={now} />
      </section>
    </>
  );
}

/** `changes` over `current`: readings merge scope by scope (a removed scope's reading goes). */
function mergeBus(current: BusSnapshot, changes: BusSnapshot): BusSnapshot {
  const readings = { ...current.readings, ...changes.readings };
  for (const [scope, reading] of Object.entries(readings)) if (reading === undefined) delete readings[scope];
  return { ...current, ...changes, readings };
}

/** "Flushing · longs" */
function phaseText(phase: Phase, side: ScopeReading['verdict']['side']): string {
  const name = t(`phase_${phase}`);
  return side ? t('phaseWithSide', [name, t(side === 'long' ? 'sideLongs' : 'sideShorts')]) : name;
}

function openTab(url: string): void {
  void chrome.tabs.create({ url });
  window.close();
}

function AssetTable({ assets, scopes, exchange, now }: { assets: string[]; scopes: Partial<Record<string, ScopeReading>>; exchange: string; now: number }) {
  return (
    <table class="assets">
      <thead>
        <tr>
          <th scope="col">{t('colAsset')}</th>
          <th scope="col">{t('colPhase')}</th>
          <FigureHeads />
        </tr>
      </thead>
      <tbody>
        {assets.map((asset) => {
          const reading = scopes[asset];
          const url = tradingUrl(asset, exchange);
          const phase = reading?.verdict.phase ?? null;
          const since = reading ? countingSince(reading, now) : null;
          const reasons = reading ? { longShare: () => whyNoLiq(since), oiChange: () => whyNoOiChange(reading, since), funding: () => t('whyNoFunding') } : {};
          return (
            // The link is the keyboard and screen-reader target; the row is a bigger mouse target.
            <tr key={asset} data-scope={asset} data-phase={phase ?? ''} class="asset-row" onClick={(e) => (e.target as Element).closest('a') === null && openTab(url)}>
              <th scope="row">
                <a href={url} target="_blank" rel="noopener noreferrer" data-field="link" aria-label={t('popupOpenAsset', [asset, exchangeName(exchange)])}>
                  {asset}
                </a>
              </th>
              <td data-field="phase" class={phase ? `phase phase-${phase}` : 'muted'}>
                {reading ? phaseText(reading.verdict.phase, reading.verdict.side) : t('popupWaiting')}
              </td>
              <FigureCells liq1hUsd={reading?.liq1h.totalUsd} sampled={(reading?.sampledVenues.length ?? 0) > 0} longShare={reading?.liq1h.longShare} oiChange1h={reading?.signals.oiChange1h} funding8h={reading ? fundingOf(reading) : null} reasons={reasons} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Rows the popup shows at most: the newest prints above the threshold. */
const TAPE_ROWS = 12;

let audio: AudioContext | null = null;

/** A short, quiet tone (WebAudio: the worker cannot play sound). Never throws. */
function tone880(): void {
  try {
    audio ??= new AudioContext();
    // Chrome may start a context suspended until the page has had a user gesture (see unlockAudio).
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const at = audio.currentTime;
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.15, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.2);
  } catch {
    // No audio device, or audio refused: the tape stays silent.
  }
}

/** Any click or key in the popup lets a suspended audio context play (autoplay policy); only when sound is on. */
function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
  } catch {
    // No audio: the tape stays silent.
  }
}

/**
 * The live tape: the largest liquidations as they print, newest first, at or above the trader's
 * threshold. Prints from sampling venues are marked. New prints at or above the sound threshold
 * sound a tone while the popup is open, when the trader turned it on (the prints already on the
 * tape when the popup opens do not). `data-tones` counts the tones played. A disclosure: its
 * heading's button shows or hides the prints, and the choice is remembered.
 */
function TapeSection({ tape, settings, now }: { tape: unknown; settings: TapeSettings; now: number }) {
  const f = fmt();
  const rows = useMemo(() => tapePrints(tape, { minUsd: settings.minUsd, limit: TAPE_ROWS }), [tape, settings.minUsd]);
  const seen = useRef<Set<string> | null>(null);
  const [tones, setTones] = useState(0);
  // The tape starts closed: the popup keeps within 600 px.
  const [open, toggle] = useRememberedOpen('tape');
  useEffect(() => {
    if (!settings.sound) return;
    const controller = new AbortController();
    for (const type of ['pointerdown', 'keydown'] as const) document.addEventListener(type, unlockAudio, { once: true, signal: controller.signal });
    return () => controller.abort();
  }, [settings.sound]);
  useEffect(() => {
    const keys = rows.map(printKey);
    // The first rows are what the tape held when the popup opened: none is new.
    if (seen.current === null) return void (seen.current = new Set(keys));
    const fresh = rows.filter((print, i) => !seen.current!.has(keys[i]!));
    for (const key of keys) seen.current.add(key);
    if (settings.sound && fresh.some((print) => print.usd >= settings.soundUsd)) {
      tone880();
      setTones((n) => n + 1);
    }
  }, [rows]);
  return (
    <section data-section="tape" aria-labelledby="tape-heading" data-tones={tones}>
      <h2 id="tape-heading">
        <button type="button" class="disclosure" data-action="tape" aria-expanded={open} aria-controls="tape-body" onClick={toggle}>
          <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
          {t('popupTape')} ({rows.length})
        </button>
      </h2>
      <div id="tape-body" hidden={!open}>
      {rows.length === 0 ? (
        <p class="muted" data-field="tapeEmpty">
          {t('popupTapeEmpty', [f.usd(settings.minUsd)])}
        </p>
      ) : (
        <TapeList prints={rows} now={now} labelledBy="tape-heading" />
      )}
      </div>
    </section>
  );
}

/** The worker's records of the open pages that are well formed: the popup's own tab first, then in the order the tabs were opened. */
function openPages(pages: unknown, currentTab: number | null): PageStatus[] {
  if (!Array.isArray(pages)) return [];
  const valid = pages.filter(
    (page): page is PageStatus =>
      typeof page === 'object' && page !== null && typeof page.site === 'string' && typeof page.asset === 'string' && PLACEMENTS.includes(page.placement),
  );
  const rank = (page: PageStatus) => (page.tab === null ? Infinity : page.tab === currentTab ? -Infinity : page.tab);
  return valid.sort((a, b) => rank(a) - rank(b) || 0);
}

/**
 * One compact line per open trading page, at the top (the popup is usually opened over one):
 * the exchange, the page's asset and where the meter sits, in words ("beside the order panel",
 * "docked: no order panel found", "looking for the order panel"). The row carries data-site,
 * data-asset and data-placement, so a trader and a bug report can tell. Nothing when no
 * supported page is open.
 */
function PageTable({ pages, currentTab }: { pages: PageStatus[]; currentTab: number | null }) {
  if (!pages.length) return null;
  return (
    <section class="pages" aria-label={t('popupPages')}>
      <table>
        <tbody>
          {pages.map((page, index) => (
            <tr key={`${page.tab ?? 'tab'}-${index}`} class="page-row" data-site={page.site} data-asset={page.asset} data-placement={page.placement} aria-current={page.tab !== null && page.tab === currentTab ? 'page' : undefined}>
              <th scope="row" title={sites.find((site) => site.id === page.site)?.label}>
                <span data-field="site">{exchangeName(page.site)}</span> · <span data-field="asset">{page.asset}</span>
              </th>
              <td data-field="placement" class={`placement-${page.placement}`}>
                {t(`placement_${page.placement}`)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** live · streaming / stale (4m) / degraded: reason / off */
function healthText(source: SourceStatus, now: number): string {
  switch (sourceHealth(source, now)) {
    case 'live':
      return t('healthLive', [t(`stream_${source.stream}`)]);
    case 'stale':
      return t('healthStale', [fmt().age(source.lastPollAt, now)]);
    case 'degraded': {
      // The kind in the trader's language; the technical detail stays in English in the tooltip.
      const reason = t('healthDegraded', [source.degradedKind ? t(`degraded_${source.degradedKind}`) : (source.degraded ?? '')]);
      return source.pausedUntil !== null && source.pausedUntil > now ? `${reason} · ${t('healthResumes', [fmt().clock(source.pausedUntil)])}` : reason;
    }
    case 'off':
      return t('healthOff');
  }
}

function SourceTable({ sources, now }: { sources: SourceStatus[]; now: number }) {
  if (!sources.length) return <p class="muted">{t('popupStarting')}</p>;
  return (
    <table class="sources">
      <thead>
        <tr>
          <th scope="col">{t('colVenue')}</th>
          <th scope="col">{t('colStatus')}</th>
          <th scope="col">{t('colFeed')}</th>
        </tr>
      </thead>
      <tbody>
        {sources.map((source) => {
          const health = sourceHealth(source, now);
          return (
            <tr key={source.venue} data-venue={source.venue} data-health={health}>
              <th scope="row">{source.label}</th>
              <td class={`health-${health}`} data-field="health" title={health === 'degraded' && source.degraded ? source.degraded : healthText(source, now)}>
                {healthText(source, now)}
              </td>
              <td title={source.completenessNote ?? ''} data-field="feed">
                {t(source.completeness === 'complete' ? 'feedComplete' : source.completeness === 'sampled' ? 'feedSampled' : 'feedNone')}
                {source.coverage && source.completeness !== 'none' ? (
                  <span class="muted" data-field="coverage">
                    {' · '}
                    {t('feedCoverage', [fmt().count(source.coverage.covered), fmt().count(source.coverage.listed)])}
                  </span>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Renders the popup once `firstRead` (started by main.ts while this code loaded) has brought the data. */
export function startPopup(firstRead: ReturnType<typeof readBus>): Promise<void> {
  document.documentElement.lang = uiLanguage();
  document.title = t('extName');
  const style = document.createElement('style');
  // The page meter takes the exchange's theme; the popup's takes the OS colour scheme.
  style.textContent = `${METER_CSS} @media (prefers-color-scheme: dark) { .fm-meter { ${METER_DARK} } }`;
  document.head.append(style);
  // The first render waits for the first read: it shows the data the popup is opened for, not an empty frame.
  return firstRead
    .then(({ bus, extra }): FirstData => ({ bus, settings: (extra[EFFECTIVE_SETTINGS_KEY] as Settings | undefined) ?? defaultSettings(), remembered: extra }))
    .catch((): FirstData => ({ bus: {}, settings: defaultSettings(), remembered: {} }))
    .then((first) =>
      render(
        <RememberedOpen.Provider value={first.remembered}>
          <Popup first={first} />
        </RememberedOpen.Provider>,
        document.getElementById('app')!,
      ),
    );
}
