/**
 * The Firefox manifest, derived from the one manifest.json so the two builds cannot drift.
 * Firefox MV3 runs the background as an event page (`background.scripts`), not a service
 * worker, and needs a gecko id plus a data-collection declaration to be signed on AMO.
 */

/** Permanent add-on id on addons.mozilla.org: changing it after the first upload makes a new add-on. */
export const GECKO_ID = 'flush-meter@flush-meter.app';

/**
 * data_collection_permissions exists from Firefox 140 (desktop); a lower minimum makes
 * web-ext lint warn that older versions ignore the key. MV3 event pages with ES modules,
 * storage.session and the Navigation-free content script all work well before that.
 */
export const GECKO_MIN_VERSION = '140.0';
export const GECKO_ANDROID_MIN_VERSION = '142.0';

interface Manifest {
  background?: { service_worker?: string; scripts?: string[]; type?: string };
  minimum_chrome_version?: string;
  browser_specific_settings?: unknown;
  [key: string]: unknown;
}

export function firefoxManifest<M extends Manifest>(manifest: M): Manifest {
  const { minimum_chrome_version: _chromeOnly, background, ...rest } = manifest;
  const entry = background?.service_worker ?? background?.scripts?.[0];
  if (!entry) throw new Error('manifest.json has no background entry');
  return {
    ...rest,
    background: { scripts: [entry], type: 'module' },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: GECKO_MIN_VERSION,
        // The extension sends nothing anywhere but requests to the exchanges' public APIs (README, Privacy).
        data_collection_permissions: { required: ['none'] },
      },
      // Firefox for Android reads the gecko key too but added data_collection_permissions in 142.
      gecko_android: { strict_min_version: GECKO_ANDROID_MIN_VERSION },
    },
  };
}
