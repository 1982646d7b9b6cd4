/** The host-access check behind the popup's "Grant access" button (Firefox lets users withhold hosts). */
import { afterEach, describe, expect, it } from 'vitest';
import manifest from '../manifest.json' with { type: 'json' };
import { missingOrigins, requiredOrigins } from '../src/ui/host-access';

const scope = globalThis as unknown as { chrome?: unknown };
afterEach(() => delete scope.chrome);

describe('host access', () => {
  it('needs every API host and every trading page the manifest names, each once', () => {
    const origins = requiredOrigins(manifest as unknown as chrome.runtime.Manifest);
    const expected = new Set([...manifest.host_permissions, ...manifest.content_scripts.flatMap((c) => c.matches)]);
    expect(new Set(origins)).toEqual(expected);
    expect(origins).toHaveLength(expected.size);
  });

  it('lists exactly the origins the browser says are not granted', async () => {
    const granted = new Set(['https://fapi.binance.com/*', 'https://www.okx.com/*']);
    scope.chrome = { permissions: { contains: async ({ origins }: { origins: string[] }) => origins.every((o) => granted.has(o)) } };
    const wanted = ['https://fapi.binance.com/*', 'https://api.bybit.com/*', 'https://www.okx.com/*', 'https://www.deribit.com/*'];
    expect(await missingOrigins(wanted)).toEqual(['https://api.bybit.com/*', 'https://www.deribit.com/*']);
    granted.add('https://api.bybit.com/*').add('https://www.deribit.com/*');
    expect(await missingOrigins(wanted)).toEqual([]);
  });
});
