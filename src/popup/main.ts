/**
 * The popup's entry: starts the first storage read (the market's reading, the settings and the
 * remembered disclosures: what the first render shows) and hands it to the app (app.tsx), which
 * sets up the page meanwhile and renders once the read is back. The app is a static import: a
 * dynamic one, to start the read before the app's code loads, made the first render later, not
 * earlier (a read takes ~10 ms; fetching the app's chunks after the entry's took ~40 ms).
 */
import { EFFECTIVE_SETTINGS_KEY, MARKET_SCOPE } from '../core/bus';
import { readBus } from '../ui/bus';
import { startPopup } from './app';
import { DISCLOSURE_KEYS } from './remembered-open';

void startPopup(readBus([MARKET_SCOPE], [EFFECTIVE_SETTINGS_KEY, ...DISCLOSURE_KEYS]));
