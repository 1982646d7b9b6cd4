/**
 * SourceBoard: each venue's health as the popup shows it (stream state, last frame and poll,
 * degraded and why, rate-limit pause, stream gaps, coverage), kept in one place and written to
 * storage (BUS_KEYS.sources) only when it changed. The worker reports what happened; the board
 * decides what that means for the venue's status.
 */
import { BUS_KEYS, type DegradedKind, type SourceStatus, type StreamState } from '../core/bus';
import { closeGap, MIN_GAP_MS, openGap } from '../core/gaps';
import type { VenueId } from '../core/model';
import type { VenueAdapter } from '../venues/types';

/** A stream gap that just closed and is worth filling from a venue's history (from, to in ms). */
export interface ClosedGap {
  from: number;
  to: number;
}

export class SourceBoard {
  private readonly sources = new Map<VenueId, SourceStatus>();
  /** Each venue's last frame time, kept apart: frames come many times a second, and only the gaps read it until the list is written. */
  private readonly lastFrame = new Map<VenueId, number>();
  /** Changed since last written: the next publish writes the list. */
  private dirty = true;

  constructor(
    /** Called when a change should reach the popup soon (the worker's coalesced publish). */
    private readonly onChange: () => void,
  ) {}

  /** Every venue as starting (`on`) or switched off, e.g. at boot. */
  reset(adapters: readonly VenueAdapter[], isOn: (venue: VenueId) => boolean): void {
    this.sources.clear();
    this.lastFrame.clear();
    for (const adapter of adapters) this.sources.set(adapter.id, isOn(adapter.id) ? initialStatus(adapter) : offStatus(adapter));
    this.changed();
  }

  /** Switched off in the options: listed as off, so the popup says why it shows nothing. */
  switchOff(adapter: VenueAdapter): void {
    this.lastFrame.delete(adapter.id);
    this.sources.set(adapter.id, offStatus(adapter));
    this.changed();
  }

  switchOn(adapter: VenueAdapter): void {
    this.lastFrame.delete(adapter.id);
    this.sources.set(adapter.id, initialStatus(adapter));
    this.changed();
  }

  get(venue: VenueId): SourceStatus | undefined {
    const source = this.sources.get(venue);
    const frameAt = this.lastFrame.get(venue);
    return source && frameAt !== undefined && frameAt !== source.lastMessageAt ? { ...source, lastMessageAt: frameAt } : source;
  }

  list(): SourceStatus[] {
    return [...this.sources.keys()].map((venue) => this.get(venue)!);
  }

  /** Rate limited or banned: nothing may be asked of this venue until the time it gave. */
  isPaused(venue: VenueId, now = Date.now()): boolean {
    return (this.sources.get(venue)?.pausedUntil ?? 0) > now;
  }

  /** Merges `patch` into the venue's status; the popup sees it with the next publish. */
  update(venue: VenueId, patch: Partial<SourceStatus>): void {
    const current = this.sources.get(venue);
    if (!current) return;
    this.sources.set(venue, { ...current, ...patch });
    this.changed();
  }

  degrade(venue: VenueId, reason: string, kind: DegradedKind): void {
    console.warn(`flush-meter: ${reason}`);
    this.update(venue, { degraded: reason, degradedKind: kind, degradedAt: Date.now() });
  }

  /** A failed request degrades the venue; a rate limit also pauses it (the popup says until when). */
  failed(venue: VenueId, reason: string, result: { errorKind: DegradedKind | null; retryAfterMs: number | null }): void {
    if (result.retryAfterMs === null) return this.degrade(venue, reason, result.errorKind ?? 'network');
    this.update(venue, { pausedUntil: Date.now() + result.retryAfterMs });
    this.degrade(venue, `${reason}; paused ${Math.ceil(result.retryAfterMs / 1000)} s`, result.errorKind ?? 'rateLimited');
  }

  /** A good poll: the pause is over, and a degraded mark goes unless the stream itself is down. */
  polled(venue: VenueId, streamsOpen: boolean): void {
    this.update(venue, { lastPollAt: Date.now(), pausedUntil: null, ...(streamsOpen ? CLEARED : {}) });
  }

  /** A socket going down opens a gap from its last frame; every socket open again clears the degraded mark. */
  streamState(venue: VenueId, stream: Exclude<StreamState, 'none' | 'off'>, allOpen: boolean, now: number): void {
    const source = this.get(venue);
    if (!source) return;
    if (stream === 'reconnecting') this.update(venue, { stream, gaps: openGap(source.gaps, source.lastMessageAt ?? now) });
    else if (stream === 'connecting') this.update(venue, { stream });
    else if (allOpen) this.update(venue, { stream, ...CLEARED });
  }

  /**
   * A frame arrived: the first one with every socket back closes the open gap, which is returned
   * when it is long enough to fill from the venue's history.
   */
  frame(venue: VenueId, allOpen: boolean, now: number): ClosedGap | null {
    const source = this.sources.get(venue);
    if (!source) return null;
    this.lastFrame.set(venue, now);
    const open = source.gaps.at(-1);
    if (!open || open.to !== null || !allOpen) return null;
    this.update(venue, { lastMessageAt: now, gaps: closeGap(source.gaps, now) });
    return now - open.from >= MIN_GAP_MS ? { from: open.from, to: now } : null;
  }

  /** The list for storage when it changed since last written, else null. */
  takeChanges(): Record<string, SourceStatus[]> | null {
    if (!this.dirty) return null;
    this.dirty = false;
    return { [BUS_KEYS.sources]: this.list() };
  }

  private changed(): void {
    this.dirty = true;
    this.onChange();
  }
}

const CLEARED: Partial<SourceStatus> = { degraded: null, degradedKind: null, degradedAt: null };

function offStatus(adapter: VenueAdapter): SourceStatus {
  return { ...initialStatus(adapter), stream: 'off' };
}

function initialStatus(adapter: VenueAdapter): SourceStatus {
  return {
    venue: adapter.id,
    label: adapter.label,
    completeness: adapter.completeness,
    completenessNote: adapter.completenessNote ?? null,
    stream: 'connecting',
    lastMessageAt: null,
    lastPollAt: null,
    degraded: null,
    degradedAt: null,
    gaps: [],
    pausedUntil: null,
    coverage: null,
  };
}
