/**
 * The popup's entry: starts the first storage read (the market's reading, the settings and the
 * remembered disclosures: what the first render shows) at once, and loads the app's code
 * (app.tsx) meanwhile, so the read's round trip to the browser overlaps the code's loading
 * rather than following it.
 */
import { EFFECTIVE_SETTINGS_KEY, MARKET_SCOPE } from '../core/bus';
import { readBus } from '../ui/bus';
import { DISCLOSURE_KEYS } from './remembered-open';

const firstRead = readBus([MARKET_SCOPE], [EFFECTIVE_SETTINGS_KEY, ...DISCLOSURE_KEYS]);
void import('./app').then(({ startPopup }) => startPopup(firstRead));
