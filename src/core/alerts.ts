/**
 * Notification rules: pure decisions over readings and what was already handled, and the
 * wording of the combined message. The worker persists AlertState BEFORE it notifies, so a
 * service-worker restart never repeats a notification.
 *
 * Events (per scope: the market 'ALL' and each watched asset):
 *  - threshold      1 h liquidations cross the scope's threshold (rising edge) with one side
 *                   taking at least `minSideShare`;
 *  - flushing / exhaustion / releveraging / continuation
 *                   the verdict enters that phase (one event per phase + `since`);
 *  - funding-flip   funding crosses zero (rising edge of the flip signal).
 * One event gives one notification: readings already merge every venue, events of one scope in
 * one evaluation are combined into one message, a running market-wide event covers the same
 * event seen per asset, and every handled event key is remembered.
 */
import { MARKET_SCOPE, type ReadingSet, type ScopeReading } from './engine';
import type { Phase } from './flush';
import type { Wording } from './i18n';
import type { PositionSide } from './model';
import { assetThreshold, inQuietHours, type AlertPhase, type Settings } from './settings';
import type { FundingFlip } from './signals';

export type AlertKind = 'threshold' | AlertPhase | 'funding-flip';

/** Most important first: the primary kind decides the title and the message's opening. */
const KIND_ORDER: readonly AlertKind[] = ['threshold', 'flushing', 'exhaustion', 'continuation', 'releveraging', 'funding-flip'];

/**
 * Asset events wait this long before notifying: a market-wide flush shows up per asset within
 * seconds of the market, and the market notification then covers them.
 */
export const ASSET_GRACE_MS = 60_000;
/**
 * A market-wide event notifies only once it has held this long: a reading published while a
 * burst of past liquidations is still arriving (a stream's backlog, a history back-fill) can show
 * a phase for a moment. Seen: "exhaustion" at $33.5M, 0.3 s before the whole $99M hour read
 * "flushing" (skeleton e2e, a fresh clone). Events of one evaluation stay one notification.
 */
export const MARKET_CONFIRM_MS = 10_000;
/** Handled event keys are remembered this long (a phase's `since` never comes back after it). */
const SEEN_TTL_MS = 3 * 24 * 3_600_000;
/** Longer than the longest cooldown the options allow. */
const FIRED_TTL_MS = 2 * 24 * 3_600_000;

export interface AlertEvent {
  /** Unique per event, e.g. 'phase:BTC:exhaustion:1763600000000'; the notification id. */
  key: string;
  /** Cooldown group, e.g. 'liq:BTC' (threshold and flushing are one story) or 'flip:ALL'. */
  rule: string;
  kind: AlertKind;
  scope: string;
  /** Flushed / piling-in side for liquidation and phase events; null when unknown. */
  side: PositionSide | null;
  flip: FundingFlip;
  /** When it was first detected, ms. */
  at: number;
}

export interface AlertState {
  /** Cooldown group → when it last notified (ms). */
  lastFired: Record<string, number>;
  /** Condition key → whether it held at the last evaluation (threshold and flip fire on the rising edge). */
  active: Record<string, boolean>;
  /** Event key → when it was handled (notified, covered or suppressed). */
  seen: Record<string, number>;
  /** Events waiting: market events out MARKET_CONFIRM_MS, asset events out ASSET_GRACE_MS; by event key. */
  pending: Record<string, AlertEvent>;
}

export const EMPTY_ALERT_STATE: AlertState = Object.freeze({ lastFired: {}, active: {}, seen: {}, pending: {} }) as AlertState;

export interface AlertFacts {
  liq1hUsd: number;
  longShare: number | null;
  lowerBound: boolean;
  phase: Phase;
  phaseSide: PositionSide | null;
  funding8h: number | null;
  fundingRef: number | null;
  fundingFlip: FundingFlip;
  oiChange1h: number | null;
  oiChangeSinceFlush: number | null;
  oiRebuildFromTrough: number | null;
  decayFromPeak: number | null;
  /** Market alerts: the watched assets with the most liquidated in the last hour. */
  breakdown: Array<{ asset: string; usd: number; lowerBound: boolean }>;
}

export interface Alert {
  /** The primary event's key: also the notification id, so one event is one notification. */
  id: string;
  scope: string;
  /** Every event combined into this notification, primary first. */
  events: AlertEvent[];
  /** The asset whose trading page a click opens. */
  asset: string;
  facts: AlertFacts;
}

export type SuppressReason = 'cooldown' | 'quiet-hours' | 'covered-by-market' | 'unwatched' | 'unconfirmed';

export interface AlertDecision {
  alerts: Alert[];
  suppressed: Array<{ event: AlertEvent; reason: SuppressReason }>;
  state: AlertState;
}

export interface AlertClock {
  now: number;
  /** Local wall-clock minute of the day (0–1439), for quiet hours. */
  minuteOfDay: number;
}

export function localMinuteOfDay(ms: number): number {
  const date = new Date(ms);
  return date.getHours() * 60 + date.getMinutes();
}

/**
 * A fresh copy of a stored AlertState (absent or not an object: empty; a part that is not a
 * record: empty), safe to update in place.
 */
export function normalizeAlertState(stored: unknown): AlertState {
  const raw = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<Record<keyof AlertState, unknown>>;
  const map = <T>(value: unknown): Record<string, T> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, T>) } : {});
  return { lastFired: map(raw.lastFired), active: map(raw.active), seen: map(raw.seen), pending: map(raw.pending) };
}

// ---------------------------------------------------------------------------------------------
// Detection

/** The side that took most of the hour's liquidations, and its share. */
export function dominantSide(longShare: number | null): { side: PositionSide | null; share: number | null } {
  if (longShare === null) return { side: null, share: null };
  return longShare >= 0.5 ? { side: 'long', share: longShare } : { side: 'short', share: 1 - longShare };
}

function thresholdFor(scope: string, settings: Settings): number | null {
  const { market1h, asset1h } = settings.alerts;
  if (scope === MARKET_SCOPE) return market1h.enabled ? market1h.usd : null;
  return asset1h.enabled ? assetThreshold(settings.alerts, scope) : null;
}

/** Whether the scope's 1 h liquidations are over its threshold with a dominant enough side. */
export function overThreshold(reading: ScopeReading, settings: Settings): boolean {
  const threshold = thresholdFor(reading.scope, settings);
  const { share } = dominantSide(reading.liq1h.longShare);
  return threshold !== null && reading.liq1h.totalUsd >= threshold && (share ?? 0) >= settings.alerts.minSideShare;
}

/** New events for one scope; updates the rising-edge memory in `state.active`. */
function detectEvents(reading: ScopeReading, settings: Settings, state: AlertState, now: number): AlertEvent[] {
  const scope = reading.scope;
  const { verdict, signals } = reading;
  const events: AlertEvent[] = [];
  const known = (key: string) => key in state.seen || key in state.pending;
  const base = { scope, at: now, flip: null as FundingFlip };

  const overKey = `over:${scope}`;
  const over = overThreshold(reading, settings);
  if (over && !state.active[overKey]) {
    events.push({ ...base, key: `threshold:${scope}:${now}`, rule: `liq:${scope}`, kind: 'threshold', side: dominantSide(reading.liq1h.longShare).side });
  }
  state.active[overKey] = over;

  if (verdict.phase !== 'calm' && verdict.phase !== 'warming' && verdict.phase !== 'crowded' && settings.alerts.phases[verdict.phase]) {
    const key = phaseKey(reading);
    const rule = verdict.phase === 'flushing' ? `liq:${scope}` : `phase:${scope}:${verdict.phase}`;
    if (!known(key)) events.push({ ...base, key, rule, kind: verdict.phase, side: verdict.side });
  }

  for (const direction of ['to-negative', 'to-positive'] as const) {
    const flipKey = `flip:${scope}:${direction}`;
    const flipped = settings.alerts.fundingFlip && signals.fundingFlip === direction;
    if (flipped && !state.active[flipKey]) events.push({ ...base, key: `${flipKey}:${now}`, rule: `flip:${scope}`, kind: 'funding-flip', side: null, flip: direction });
    state.active[flipKey] = flipped;
  }
  return events;
}

/** The key of the phase event a reading shows: one per scope, phase and the phase's start. */
function phaseKey(reading: ScopeReading): string {
  return `phase:${reading.scope}:${reading.verdict.phase}:${reading.verdict.since}`;
}

/** Whether the market's event still holds: its phase (same start), its threshold, its funding flip. */
function stillHolds(event: AlertEvent, market: ScopeReading | undefined, state: AlertState): boolean {
  if (event.kind === 'threshold') return Boolean(state.active[`over:${MARKET_SCOPE}`]);
  if (event.kind === 'funding-flip') return Boolean(state.active[`flip:${MARKET_SCOPE}:${event.flip}`]);
  return market !== undefined && phaseKey(market) === event.key;
}

/** When the earliest waiting event is due (the worker evaluates again then), or null. */
export function nextDue(state: AlertState): number | null {
  const dues = Object.values(state.pending).map((event) => event.at + (event.scope === MARKET_SCOPE ? MARKET_CONFIRM_MS : ASSET_GRACE_MS));
  return dues.length ? Math.min(...dues) : null;
}

/**
 * An asset event the market is showing too, with the market's rule switched on: the market
 * notification tells that story, so the asset one would be a duplicate.
 */
function coveredByMarket(event: AlertEvent, market: ScopeReading | undefined, settings: Settings, state: AlertState): boolean {
  if (!market) return false;
  const { phases } = settings.alerts;
  if (event.kind === 'threshold' || event.kind === 'flushing') {
    const marketLiquidating = (settings.alerts.market1h.enabled && state.active[`over:${MARKET_SCOPE}`]) || (phases.flushing && market.verdict.phase === 'flushing');
    return Boolean(marketLiquidating) && dominantSide(market.liq1h.longShare).side === event.side;
  }
  if (event.kind === 'funding-flip') return settings.alerts.fundingFlip && market.signals.fundingFlip === event.flip;
  return phases[event.kind] && market.verdict.phase === event.kind && market.verdict.side === event.side;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export function evaluateAlerts(readings: ReadingSet, settings: Settings, previous: AlertState, clock: AlertClock): AlertDecision {
  const { now } = clock;
  const state = prune(normalizeAlertState(previous), now);
  const market = readings.scopes[MARKET_SCOPE];
  const watched = new Set(settings.watchlist);
  const suppressed: AlertDecision['suppressed'] = [];
  const ready: AlertEvent[] = [];

  for (const scope of [MARKET_SCOPE, ...settings.watchlist]) {
    const reading = readings.scopes[scope];
    if (!reading) continue;
    for (const event of detectEvents(reading, settings, state, now)) state.pending[event.key] = event;
  }

  /** What a waiting event is now: still waiting, due, or dropped for a reason. */
  const settle = (event: AlertEvent): 'wait' | 'due' | SuppressReason => {
    if (event.scope === MARKET_SCOPE) {
      if (!stillHolds(event, market, state)) return 'unconfirmed';
      return now - event.at >= MARKET_CONFIRM_MS ? 'due' : 'wait';
    }
    if (!watched.has(event.scope)) return 'unwatched';
    if (coveredByMarket(event, market, settings, state)) return 'covered-by-market';
    return now - event.at >= ASSET_GRACE_MS ? 'due' : 'wait';
  };

  const handle = (event: AlertEvent, reason: SuppressReason | null) => {
    state.seen[event.key] = now;
    if (reason) suppressed.push({ event, reason });
  };
  for (const event of Object.values(state.pending)) {
    const outcome = settle(event);
    if (outcome === 'wait') continue;
    delete state.pending[event.key];
    if (outcome === 'due') ready.push(event);
    else handle(event, outcome);
  }

  const quiet = inQuietHours(settings.alerts.quietHours, clock.minuteOfDay);
  const deliver: AlertEvent[] = [];
  for (const event of ready) {
    const last = state.lastFired[event.rule];
    if (last !== undefined && now - last < settings.alerts.cooldownMs) handle(event, 'cooldown');
    else if (quiet) handle(event, 'quiet-hours');
    else {
      handle(event, null);
      deliver.push(event);
    }
  }
  for (const event of deliver) state.lastFired[event.rule] = now;

  const alerts = groupByScope(deliver).flatMap((events) => {
    const reading = readings.scopes[events[0]!.scope];
    return reading ? [toAlert(events, reading, readings, settings)] : [];
  });
  return { alerts, suppressed, state };
}

function groupByScope(events: AlertEvent[]): AlertEvent[][] {
  const groups = new Map<string, AlertEvent[]>();
  for (const event of events) groups.set(event.scope, [...(groups.get(event.scope) ?? []), event]);
  return [...groups.values()].map((group) => group.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)));
}

function toAlert(events: AlertEvent[], reading: ScopeReading, readings: ReadingSet, settings: Settings): Alert {
  const breakdown =
    reading.scope === MARKET_SCOPE
      ? settings.watchlist
          .map((asset) => ({ asset, usd: readings.scopes[asset]?.liq1h.totalUsd ?? 0, lowerBound: (readings.scopes[asset]?.sampledVenues.length ?? 0) > 0 }))
          .filter((entry) => entry.usd > 0)
          .sort((a, b) => b.usd - a.usd)
          .slice(0, 3)
      : [];
  const { signals, verdict } = reading;
  return {
    id: events[0]!.key,
    scope: reading.scope,
    events,
    asset: reading.scope === MARKET_SCOPE ? (breakdown[0]?.asset ?? settings.watchlist[0] ?? 'BTC') : reading.scope,
    facts: {
      liq1hUsd: reading.liq1h.totalUsd,
      longShare: reading.liq1h.longShare,
      lowerBound: reading.sampledVenues.length > 0,
      phase: verdict.phase,
      phaseSide: verdict.side,
      funding8h: reading.funding8h,
      fundingRef: signals.fundingRef,
      fundingFlip: signals.fundingFlip,
      oiChange1h: signals.oiChange1h,
      oiChangeSinceFlush: signals.oiChangeSinceFlush,
      oiRebuildFromTrough: signals.oiRebuildFromTrough,
      decayFromPeak: signals.decayFromPeak,
      breakdown,
    },
  };
}

function prune(state: AlertState, now: number): AlertState {
  const keep = <T>(record: Record<string, T>, at: (value: T) => number, ttl: number) => {
    for (const [key, value] of Object.entries(record)) if (now - at(value) > ttl) delete record[key];
  };
  keep(state.seen, (at) => at, SEEN_TTL_MS);
  keep(state.lastFired, (at) => at, FIRED_TTL_MS);
  keep(state.pending, (event) => event.at, SEEN_TTL_MS);
  return state;
}

// ---------------------------------------------------------------------------------------------
// Wording: every sentence comes from _locales, every number from Intl.

export interface AlertText {
  title: string;
  message: string;
  /** A smaller second line (Chrome only): the assets behind a market-wide alert. */
  context: string | null;
}

export function describeAlert(alert: Alert, { t, fmt }: Wording): AlertText {
  const primary = alert.events[0]!;
  const kinds = new Set(alert.events.map((e) => e.kind));
  const f = alert.facts;
  const scopeName = alert.scope === MARKET_SCOPE ? t('allMarkets') : alert.scope;
  const side = primary.kind === 'threshold' || primary.kind === 'flushing' ? (primary.side ?? dominantSide(f.longShare).side) : primary.side;
  const title = t('notifTitle', [headline(primary, side, t), scopeName]);

  let core: string;
  let funding: string | null = null;
  const amount = fmt.usdBound(f.liq1hUsd, f.lowerBound);
  const { side: liqSide, share } = dominantSide(f.longShare);
  switch (primary.kind) {
    case 'threshold':
      core = liqSide === null ? t('msgLiq', [amount]) : t(liqSide === 'long' ? 'msgLiqLongs' : 'msgLiqShorts', [amount, fmt.share(share)]);
      funding = fundingSentence(side, f, { t, fmt });
      break;
    case 'flushing': {
      const shareClause = liqSide === null ? null : t(liqSide === 'long' ? 'clauseShareLongs' : 'clauseShareShorts', [fmt.share(share)]);
      const oi = f.oiChange1h === null ? null : t('clauseOi1h', [fmt.change(f.oiChange1h)]);
      core = t(side === 'short' ? 'msgFlushShort' : 'msgFlushLong', [list([t('clauseLiq1h', [amount]), shareClause, oi], t)]);
      funding = fundingSentence(side, f, { t, fmt });
      break;
    }
    case 'exhaustion': {
      const decay = f.decayFromPeak === null ? null : t('clauseDecay', [fmt.share(Math.max(0, 1 - f.decayFromPeak))]);
      const oi = f.oiChangeSinceFlush === null ? null : t('clauseOiSinceFlush', [fmt.change(f.oiChangeSinceFlush)]);
      core = t('msgExhaustion', [list([decay ?? t('clauseLiq1h', [amount]), oi, fundingClause(f, { t, fmt })], t)]);
      break;
    }
    case 'releveraging': {
      const rebuild = f.oiRebuildFromTrough === null ? null : t('clauseOiRebuild', [fmt.change(f.oiRebuildFromTrough)]);
      core = t('msgReleveraging', [list([rebuild ?? t('clauseLiq1h', [amount]), fundingClause(f, { t, fmt })], t)]);
      break;
    }
    case 'continuation': {
      const flushed = f.phaseSide;
      const still = flushed === null || f.longShare === null ? null : t(flushed === 'long' ? 'clauseStillLongs' : 'clauseStillShorts', [fmt.share(flushed === 'long' ? f.longShare : 1 - f.longShare)]);
      const fundingStill = f.funding8h === null ? null : t('clauseFundingStill', [fmt.rate(f.funding8h)]);
      core = t('msgContinuation', [list([still ?? t('clauseLiq1h', [amount]), fundingStill], t)]);
      break;
    }
    case 'funding-flip':
      core = t(primary.flip === 'to-positive' ? 'msgFlipPositive' : 'msgFlipNegative', [fmt.rate(f.fundingRef), fmt.rate(f.funding8h)]);
      break;
  }
  // A flip combined into another event: the flush, exhaustion and re-leveraging texts already
  // tell it; continuation (and a flush with no dominant side) gets it as a sentence of its own.
  const flipTold = funding !== null || primary.kind === 'exhaustion' || primary.kind === 'releveraging' || primary.kind === 'funding-flip';
  if (kinds.has('funding-flip') && !flipTold && f.fundingFlip) {
    funding = t(f.fundingFlip === 'to-negative' ? 'msgFundingFlippedNegative' : 'msgFundingFlippedPositive');
  }
  const scoped = alert.scope === MARKET_SCOPE ? core : t('msgScoped', [alert.scope, core]);
  const message = funding ? t('msgTwoSentences', [scoped, funding]) : scoped;
  const context = f.breakdown.length ? t('msgBreakdown', [list(f.breakdown.map((b) => t('breakdownItem', [b.asset, fmt.usdBound(b.usd, b.lowerBound)])), t)]) : null;
  return { title, message, context };
}

function headline(primary: AlertEvent, side: PositionSide | null, t: Wording['t']): string {
  switch (primary.kind) {
    case 'threshold':
    case 'flushing':
      return side === null ? t('headlineLiquidations') : t(side === 'long' ? 'headlineLongFlush' : 'headlineShortFlush');
    case 'exhaustion':
      return t('phase_exhaustion');
    case 'releveraging':
      return t('phase_releveraging');
    case 'continuation':
      return t('phase_continuation');
    case 'funding-flip':
      return t('headlineFundingFlip');
  }
}

/**
 * After liquidations of `side`: funding still paid by that side means the crowd has not left;
 * a flip means it has.
 */
function fundingSentence(side: PositionSide | null, f: AlertFacts, { t, fmt }: Wording): string | null {
  if (side === null || f.funding8h === null) return null;
  if (f.fundingFlip) return t(f.fundingFlip === 'to-negative' ? 'msgFundingFlippedNegative' : 'msgFundingFlippedPositive');
  const sameSide = side === 'long' ? f.funding8h > 0 : f.funding8h < 0;
  return t(sameSide ? 'msgFundingStill' : 'msgFundingNow', [fmt.rate(f.funding8h)]);
}

function fundingClause(f: AlertFacts, { t, fmt }: Wording): string | null {
  if (f.fundingFlip) return t(f.fundingFlip === 'to-negative' ? 'clauseFundingFlippedNegative' : 'clauseFundingFlippedPositive');
  return f.funding8h === null ? null : t('clauseFunding', [fmt.rate(f.funding8h)]);
}

/** "a, b, c" in the UI language (the separators live in _locales). */
export function list(items: Array<string | null>, t: Wording['t']): string {
  const present = items.filter((item): item is string => item !== null && item !== '');
  return present.reduce((joined, item, i) => (i === 0 ? item : t('listJoin', [joined, item])), '');
}
