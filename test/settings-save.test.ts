/**
 * A save as a message round trip: the options page's `sendSave` → runtime message (JSON, as the
 * browser carries it) → the worker's save listener (schema, storage.sync, apply) → the reply the
 * page shows. First with a stand-in for the worker's queue, then with the real worker booted on
 * fake browser APIs and the mock venues.
 */
import { fakeBrowser } from '@webext-core/fake-browser';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { saveListener, SettingsStore } from '../src/background/settings';
import { DEFAULT_SETTINGS, SAVE_SETTINGS, type SaveSettingsReply, type Settings } from '../src/core/settings';
import { formErrors, fromForm, toForm } from '../src/options/form';
import { sites } from '../src/sites';
import { sendSave } from '../src/ui/settings';
import { EN, settingsWith } from './alert-fixtures';
import { FakeSocket } from './fake-socket';
import { marketRow, staticView } from './mock/view';
import { stubWorkerGlobals } from './worker-env';

vi.mock('webextension-polyfill', () => ({ default: fakeBrowser }));

/** chrome.runtime.sendMessage as the page has it: the message crosses as JSON; no answer is an error. */
function stubPageMessaging(): void {
  vi.stubGlobal('chrome', {
    runtime: {
      sendMessage: async (message: unknown) => {
        const answers = await fakeBrowser.runtime.onMessage.trigger(JSON.parse(JSON.stringify(message)), { id: fakeBrowser.runtime.id }, () => undefined);
        const answer = answers.find((a) => a !== undefined);
        if (answer === undefined) throw new Error('Could not establish connection. Receiving end does not exist.');
        return JSON.parse(JSON.stringify(answer));
      },
    },
  });
}

const synced = async () => (await fakeBrowser.storage.sync.get('settings')).settings as Settings | undefined;
const SITE_IDS = sites.map((s) => s.id);
const why = (reply: SaveSettingsReply) => (reply.applied ? null : EN.t(reply.why.key, reply.why.substitutions));

describe('a save, page → worker → page', () => {
  let store: SettingsStore;
  let applied: Settings[];
  let apply: (settings: Settings) => Promise<void>;

  beforeEach(async () => {
    fakeBrowser.reset();
    stubPageMessaging();
    store = new SettingsStore();
    await store.load();
    applied = [];
    apply = async (settings) => void applied.push(settings);
    fakeBrowser.runtime.onMessage.addListener(saveListener(store, (settings) => apply(settings)));
  });

  afterAll(() => vi.unstubAllGlobals());

  it('replies applied only once the worker has applied the change, with the settings in force', async () => {
    let finish!: () => void;
    apply = (settings) => new Promise<void>((resolve) => (finish = () => resolve(void applied.push(settings))));
    const wanted = settingsWith((s) => {
      s.watchlist = ['BTC', 'PEPE'];
      s.alerts.market1h.usd = 10e6;
    });
    let reply: SaveSettingsReply | null = null;
    const pending = sendSave(wanted).then((r) => (reply = r));
    await vi.waitFor(() => expect(finish).toBeDefined());
    // Stored and published, but not yet applied: no answer yet.
    expect(await synced()).toEqual(wanted);
    expect(reply).toBeNull();
    finish();
    await pending;
    expect(reply).toEqual({ applied: true, settings: wanted });
    expect(applied).toEqual([wanted]);
  });

  it('replies not applied, with every refused field, when the schema refuses; nothing is stored or applied', async () => {
    const form = { ...toForm(DEFAULT_SETTINGS, SITE_IDS), market1hM: 'lots', cooldownMinutes: '1' };
    const reply = await sendSave(fromForm(form));
    expect(reply).toEqual({
      applied: false,
      why: {
        key: 'optInvalid',
        issues: [
          { path: 'alerts.market1h.usd', key: 'errRange', values: [100_000, 100_000_000_000] },
          { path: 'alerts.cooldownMs', key: 'errRange', values: [300_000, 86_400_000] },
        ],
      },
    });
    expect(why(reply)).toBe('Fix the highlighted fields; nothing was saved.');
    const { errors } = formErrors(reply.applied ? [] : reply.why.issues!);
    expect(EN.t(errors.market1hM!.key, errors.market1hM!.substitutions)).toBe('Enter a number from 0.1 to 100000.');
    expect(EN.t(errors.cooldownMinutes!.key, errors.cooldownMinutes!.substitutions)).toBe('Enter a number from 5 to 1440.');
    expect(await synced()).toBeUndefined();
    expect(applied).toEqual([]);
  });

  it('replies not applied, with the worker’s reason, when applying fails', async () => {
    apply = async () => {
      throw new Error('catalogue unavailable');
    };
    const reply = await sendSave(settingsWith((s) => (s.venues.okx = false)));
    expect(reply).toEqual({ applied: false, why: { key: 'saveNotApplied', substitutions: ['catalogue unavailable'] } });
    expect(why(reply)).toBe('Saved, but the extension could not apply the settings yet (catalogue unavailable). They apply when it restarts.');
  });

  it('replies not applied when the browser refuses to store the settings', async () => {
    vi.spyOn(fakeBrowser.storage.sync, 'set').mockRejectedValueOnce(new Error('MAX_WRITE_OPERATIONS_PER_MINUTE quota exceeded'));
    const reply = await sendSave(settingsWith((s) => (s.meterMode = 'expanded')));
    expect(why(reply)).toBe('Not saved: the browser refused to store the settings (MAX_WRITE_OPERATIONS_PER_MINUTE quota exceeded).');
    expect(applied).toEqual([]);
    expect(store.value).toEqual(DEFAULT_SETTINGS);
  });

  it('answers only its own message type from the extension itself; a page without an answer says so', async () => {
    const listener = saveListener(store, apply);
    expect(listener({ type: SAVE_SETTINGS, settings: DEFAULT_SETTINGS }, { id: 'another-extension' })).toBeUndefined();
    expect(listener({ type: 'refresh' }, { id: fakeBrowser.runtime.id })).toBeUndefined();
    fakeBrowser.runtime.onMessage.removeAllListeners();
    const reply = await sendSave(DEFAULT_SETTINGS);
    expect(reply).toEqual({ applied: false, why: { key: 'saveNoAnswer', substitutions: ['Could not establish connection. Receiving end does not exist.'] } });
  });

  it('waits for the worker to be ready before it validates, stores and applies', async () => {
    fakeBrowser.runtime.onMessage.removeAllListeners();
    let booted!: () => void;
    const ready = new Promise<void>((resolve) => (booted = resolve));
    fakeBrowser.runtime.onMessage.addListener(saveListener(store, apply, ready));
    const pending = sendSave(settingsWith((s) => (s.meterMode = 'expanded')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await synced()).toBeUndefined();
    booted();
    expect((await pending).applied).toBe(true);
    expect((await synced())!.meterMode).toBe('expanded');
  });
});

describe('a save answered by the real worker', () => {
  const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
  const view = { ...staticView(['BTC', 'ETH', 'SOL'].map((asset, i) => marketRow('okx', asset, [72_000, 2_100, 90][i]!)), T0), get now() { return Date.now(); } };
  type Worker = InstanceType<typeof import('../src/background/worker').BackgroundWorker>;
  let worker: Worker;
  const okxSockets = () => FakeSocket.instances.filter((s) => s.url.includes('okx.com'));

  beforeAll(async () => {
    fakeBrowser.reset();
    FakeSocket.instances = [];
    stubWorkerGlobals(view, T0);
    stubPageMessaging();
    const { BackgroundWorker } = await import('../src/background/worker');
    const store = new SettingsStore();
    store.follow();
    worker = new BackgroundWorker(store);
    const ready = worker.boot();
    fakeBrowser.runtime.onMessage.addListener(saveListener(store, (next) => worker.applySettingsQueued(next), ready));
    await ready;
  });

  afterAll(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('switches a venue off: by the time the reply says applied, its streams are closed', async () => {
    expect(okxSockets().some((s) => s.readyState !== 3)).toBe(true);
    const reply = await sendSave(settingsWith((s) => (s.venues.okx = false)));
    expect(reply.applied).toBe(true);
    expect(okxSockets().every((s) => s.readyState === 3)).toBe(true);
    expect((await synced())!.venues.okx).toBe(false);
  });

  it('says why when the worker fails to apply a change, and applies the next one', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(worker as unknown as { pollAll: () => Promise<void> }, 'pollAll').mockRejectedValueOnce(new Error('venues unreachable'));
    // A new asset is polled at once: the poll fails.
    const failed = await sendSave(settingsWith((s) => ((s.venues.okx = false), (s.watchlist = ['BTC', 'ETH', 'SOL', 'DOGE']))));
    expect(failed).toEqual({ applied: false, why: { key: 'saveNotApplied', substitutions: ['venues unreachable'] } });
    expect(error).toHaveBeenCalled();
    const opened = okxSockets().length;
    const next = await sendSave(settingsWith((s) => (s.watchlist = ['BTC', 'ETH', 'SOL', 'DOGE'])));
    expect(next.applied).toBe(true);
    expect(okxSockets().length).toBeGreaterThan(opened);
  });
});
