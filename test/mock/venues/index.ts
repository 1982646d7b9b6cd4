/** Every mock venue the mock exchange serves. */
import type { MockVenue } from '../types';
import { binanceMock } from './binance';
import { bitfinexMock } from './bitfinex';
import { bitgetMock } from './bitget';
import { bitmexMock } from './bitmex';
import { bybitMock } from './bybit';
import { deribitMock } from './deribit';
import { hyperliquidMock } from './hyperliquid';
import { okxMock } from './okx';

export const mockVenues: MockVenue[] = [binanceMock, bybitMock, okxMock, bitmexMock, bitgetMock, bitfinexMock, deribitMock, hyperliquidMock];
