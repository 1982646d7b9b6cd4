/**
 * A hand-written validator for scenario files (docs/scenario-format.md). Pure: the replay
 * command, the tests and the mock exchange can all use it in plain Node or the browser.
 * It reports every problem (up to a limit) with the JSON path, so a hand-edited file is easy to fix.
 */
import { VENUE_IDS, type VenueId } from '../../src/core/model';
import type { Scenario, ScenarioEvent } from './scenario';

export class ScenarioError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid scenario:\n  ${problems.join('\n  ')}`);
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

const MAX_PROBLEMS = 20;

const MARKET_NUMBERS = {
  price: 'positive',
  markPrice: 'positive',
  indexPrice: 'positive',
  fundingRate8h: 'any',
  openInterestUsd: 'non-negative',
  perpVolume24hUsd: 'non-negative',
  spotVolume24hUsd: 'non-negative',
} as const;

type NumberRule = 'positive' | 'non-negative' | 'any';

/** Returns the scenario typed, or throws ScenarioError listing what is wrong and where. */
export function parseScenario(data: unknown): Scenario {
  const problems: string[] = [];
  const problem = (msg: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg);
  };
  if (!isObject(data)) throw new ScenarioError(['the file must hold a JSON object {name, start, events}']);
  if (typeof data.name !== 'string' || data.name.trim() === '') problem('name: must be a non-empty string');
  if (!isFiniteNumber(data.start) || !Number.isInteger(data.start) || data.start < 0) problem('start: must be epoch milliseconds (a non-negative integer)');
  if (!Array.isArray(data.events)) {
    problem('events: must be an array');
    throw new ScenarioError(problems);
  }
  let previousT = -Infinity;
  for (const [i, event] of data.events.entries()) {
    const at = `events[${i}]`;
    if (!isObject(event)) {
      problem(`${at}: must be an object`);
      continue;
    }
    if (!isFiniteNumber(event.t) || !Number.isInteger(event.t) || event.t < 0) problem(`${at}.t: must be a non-negative integer (ms since start)`);
    else if (event.t < previousT) problem(`${at}.t: ${event.t} comes before the previous event's ${previousT}; events must be sorted by t`);
    else previousT = event.t;
    if (!VENUE_IDS.includes(event.venue as VenueId)) problem(`${at}.venue: ${JSON.stringify(event.venue)} is not one of ${VENUE_IDS.join(', ')}`);
    if (typeof event.asset !== 'string' || !/^[A-Z0-9]+$/.test(event.asset)) problem(`${at}.asset: must be an upper-case base asset like "BTC"`);
    if (event.type === 'market') {
      for (const [field, rule] of Object.entries(MARKET_NUMBERS)) checkNumber(event[field], rule, `${at}.${field}`, problem);
    } else if (event.type === 'liquidation') {
      if (event.side !== 'long' && event.side !== 'short') problem(`${at}.side: must be "long" or "short" (the position liquidated)`);
      checkNumber(event.price, 'positive', `${at}.price`, problem);
      checkNumber(event.notionalUsd, 'positive', `${at}.notionalUsd`, problem);
      if (event.symbol !== undefined && (typeof event.symbol !== 'string' || !/^[A-Za-z0-9:_.-]{1,40}$/.test(event.symbol))) problem(`${at}.symbol: must be a venue-native instrument like "XBTUSDT"`);
    } else {
      problem(`${at}.type: must be "market" or "liquidation", got ${JSON.stringify(event.type)}`);
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  if (problems.length) throw new ScenarioError(problems);
  return { name: data.name as string, start: data.start as number, events: data.events as ScenarioEvent[] };
}

function checkNumber(value: unknown, rule: NumberRule, path: string, problem: (msg: string) => void): void {
  if (!isFiniteNumber(value)) return problem(`${path}: must be a finite number, got ${JSON.stringify(value)}`);
  if (rule === 'positive' && !(value > 0)) problem(`${path}: must be > 0, got ${value}`);
  if (rule === 'non-negative' && value < 0) problem(`${path}: must be ≥ 0, got ${value}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
