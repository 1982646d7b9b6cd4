/** The Firefox manifest derived from manifest.json: what Gecko and AMO need, nothing else changed. */
import { describe, expect, it } from 'vitest';
import manifest from '../manifest.json' with { type: 'json' };
import { firefoxManifest, GECKO_ID } from '../scripts/firefox-manifest';

describe('Firefox manifest', () => {
  const firefox = firefoxManifest(manifest) as Record<string, unknown> & typeof manifest;

  it('runs the background as an event page script, not a service worker', () => {
    expect(firefox.background).toEqual({ scripts: [manifest.background.service_worker], type: 'module' });
    expect(firefox).not.toHaveProperty('minimum_chrome_version');
  });

  it('declares a gecko id and that it collects no data', () => {
    const gecko = (firefox.browser_specific_settings as { gecko: Record<string, unknown> }).gecko;
    expect(gecko.id).toBe(GECKO_ID);
    // AMO ids are email-like or a GUID in braces.
    expect(GECKO_ID).toMatch(/^[\w.-]*@[\w.-]+$/);
    expect(gecko.data_collection_permissions).toEqual({ required: ['none'] });
    expect(Number.parseFloat(String(gecko.strict_min_version))).toBeGreaterThanOrEqual(140);
  });

  it('keeps permissions, host permissions and content scripts exactly as for Chrome', () => {
    expect(firefox.permissions).toEqual(manifest.permissions);
    expect(firefox.host_permissions).toEqual(manifest.host_permissions);
    expect(firefox.content_scripts).toEqual(manifest.content_scripts);
  });
});
