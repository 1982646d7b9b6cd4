/**
 * The settings in force, as the worker validated and published them to storage.local. Pages read
 * them once and follow them through storage.onChanged (never by polling); the options page saves
 * by sending them to the worker, whose reply says whether they were applied.
 */
import { defaultSettings, EFFECTIVE_SETTINGS_KEY, SAVE_SETTINGS, type SaveSettingsMessage, type SaveSettingsReply, type Settings } from '../core/settings';

export async function readSettings(): Promise<{ settings: Settings }> {
  const stored = await chrome.storage.local.get(EFFECTIVE_SETTINGS_KEY);
  return { settings: (stored[EFFECTIVE_SETTINGS_KEY] as Settings | undefined) ?? defaultSettings() };
}

/** Calls back with each newly published settings; returns the unsubscribe function. */
export function followSettings(onChange: (settings: Settings) => void, signal?: AbortSignal): () => void {
  const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area !== 'local' || !(EFFECTIVE_SETTINGS_KEY in changes)) return;
    onChange((changes[EFFECTIVE_SETTINGS_KEY]!.newValue as Settings | undefined) ?? defaultSettings());
  };
  chrome.storage.onChanged.addListener(listener);
  const stop = () => chrome.storage.onChanged.removeListener(listener);
  signal?.addEventListener('abort', stop, { once: true });
  return stop;
}

/**
 * Sends settings (as entered, not validated here) to the worker and resolves with its answer:
 * applied, or why not. A worker that cannot be reached or answers nothing is a "not applied" too.
 */
export async function sendSave(settings: unknown): Promise<SaveSettingsReply> {
  const message: SaveSettingsMessage = { type: SAVE_SETTINGS, settings };
  try {
    const reply: unknown = await chrome.runtime.sendMessage(message);
    if (isReply(reply)) return reply;
    return { applied: false, why: { key: 'saveNoAnswer', substitutions: ['—'] } };
  } catch (error) {
    return { applied: false, why: { key: 'saveNoAnswer', substitutions: [error instanceof Error ? error.message : String(error)] } };
  }
}

function isReply(reply: unknown): reply is SaveSettingsReply {
  if (typeof reply !== 'object' || reply === null) return false;
  const { applied, why, settings } = reply as Record<string, unknown>;
  return (applied === true && typeof settings === 'object' && settings !== null) || (applied === false && typeof why === 'object' && why !== null);
}
