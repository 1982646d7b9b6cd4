/** Pins what the extension may touch: a new permission or host must be a deliberate change here. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { sites } from '../src/sites';
import { apiHosts, streamOrigins } from '../src/venues';
import { mockCatalogue } from './catalogue';

const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));

describe('manifest', () => {
  it('asks only for storage, alarms and notifications', () => {
    expect([...manifest.permissions].sort()).toEqual(['alarms', 'notifications', 'storage']);
  });

  it('has host permissions for exactly the REST hosts the venues poll', () => {
    const hosts = manifest.host_permissions.map((pattern: string) => new URL(pattern.replace('/*', '/')).host).sort();
    expect(hosts).toEqual(apiHosts(DEFAULT_SETTINGS.watchlist, mockCatalogue));
  });

  it('injects the content script on exactly the supported trading pages', () => {
    const matches = manifest.content_scripts.flatMap((entry: { matches: string[] }) => entry.matches).sort();
    expect(matches).toEqual(sites.flatMap((site) => site.matches).sort());
  });

  it('has a strict CSP for extension pages that connects only to the venues’ API and stream origins', () => {
    const csp: string = manifest.content_security_policy.extension_pages;
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    const expected = [...apiHosts(DEFAULT_SETTINGS.watchlist, mockCatalogue).map((host) => `https://${host}`), ...streamOrigins(DEFAULT_SETTINGS.watchlist, mockCatalogue)].sort();
    expect([...directives['connect-src']].sort()).toEqual(expected);
  });
});
