/** Every mock venue the mock exchange serves. */
import type { MockVenue } from '../types';
import { binanceMock } from './binance';

export const mockVenues: MockVenue[] = [binanceMock];
