/**
 * "Grant access" for browsers that let the user withhold host permissions: Firefox treats MV3
 * host permissions as optional (the user can refuse or revoke them in the add-ons manager, and
 * an update's new hosts are not granted), so without them the worker's requests fail and no
 * meter appears. Chrome grants them at install, and this renders nothing there.
 * Uses `chrome.*` directly (promise-based in Chrome MV3 and Firefox): no polyfill needed.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';

/** Every origin the extension needs: the exchanges' APIs and the trading pages it decorates. */
export function requiredOrigins(manifest: chrome.runtime.Manifest = chrome.runtime.getManifest()): string[] {
  const hosts = (manifest as chrome.runtime.ManifestV3).host_permissions ?? [];
  const pages = (manifest.content_scripts ?? []).flatMap((script) => script.matches ?? []);
  return [...new Set([...hosts, ...pages])];
}

/** Origins of `origins` not granted now. */
export async function missingOrigins(origins: string[]): Promise<string[]> {
  const granted = await Promise.all(origins.map((origin) => chrome.permissions.contains({ origins: [origin] })));
  return origins.filter((_, i) => !granted[i]);
}

/** Hostnames for the explanation ("api.binance.com, www.okx.com …"). */
function hostsOf(origins: string[]): string {
  return [...new Set(origins.map((origin) => origin.replace(/^[^:]+:\/\/(\*\.)?/, '').replace(/\/.*$/, '')))].join(', ');
}

export function HostAccess() {
  const [missing, setMissing] = useState<string[]>([]);
  useEffect(() => {
    const origins = requiredOrigins();
    const check = () => void missingOrigins(origins).then(setMissing, () => setMissing([]));
    check();
    // The user may grant or revoke in the add-ons manager while the popup is open.
    chrome.permissions.onAdded.addListener(check);
    chrome.permissions.onRemoved.addListener(check);
    return () => {
      chrome.permissions.onAdded.removeListener(check);
      chrome.permissions.onRemoved.removeListener(check);
    };
  }, []);
  if (missing.length === 0) return null;

  const grant = () => {
    // Firefox accepts the request only inside the click handler itself: nothing may be awaited before it.
    chrome.permissions
      .request({ origins: missing })
      .then((granted) => {
        // Ask the worker to poll now instead of at the next alarm.
        if (granted) void chrome.runtime.sendMessage({ type: 'refresh' }).catch(() => undefined);
      })
      .catch(() => undefined);
  };
  return (
    <div class="host-access" role="alert" data-field="host-access">
      <p>
        {t('hostAccessNeeded', [hostsOf(missing)])}
      </p>
      <button type="button" data-action="grant-host-access" onClick={grant}>
        {t('hostAccessGrant')}
      </button>
    </div>
  );
}
