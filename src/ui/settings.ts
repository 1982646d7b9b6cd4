/**
 * The settings in force, as the worker published them to storage.local (validated there).
 * Pages read and follow them; only the options page writes, and it writes storage.sync.
 */
import { defaultSettings, EFFECTIVE_SETTINGS_KEY, SETTINGS_ISSUES_KEY, type Settings } from '../core/settings';

export async function readSettings(): Promise<{ settings: Settings; issues: string[] }> {
  const stored = await chrome.storage.local.get([EFFECTIVE_SETTINGS_KEY, SETTINGS_ISSUES_KEY]);
  return {
    settings: (stored[EFFECTIVE_SETTINGS_KEY] as Settings | undefined) ?? defaultSettings(),
    issues: (stored[SETTINGS_ISSUES_KEY] as string[] | undefined) ?? [],
  };
}

/** Calls back with each newly published settings (and issues); returns the unsubscribe function. */
export function followSettings(onChange: (settings: Settings, issues: string[] | null) => void, signal?: AbortSignal): () => void {
  const listener = (changes: Record<string, chrome.storage.StorageChange>, area: string) => {
    if (area !== 'local' || !(EFFECTIVE_SETTINGS_KEY in changes)) return;
    const settings = changes[EFFECTIVE_SETTINGS_KEY]!.newValue as Settings | undefined;
    const issues = SETTINGS_ISSUES_KEY in changes ? ((changes[SETTINGS_ISSUES_KEY]!.newValue as string[] | undefined) ?? []) : null;
    onChange(settings ?? defaultSettings(), issues);
  };
  chrome.storage.onChanged.addListener(listener);
  const stop = () => chrome.storage.onChanged.removeListener(listener);
  signal?.addEventListener('abort', stop, { once: true });
  return stop;
}
