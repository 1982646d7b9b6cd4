/**
 * The popup's breadth: what is being flushed now across every asset with liquidations in the last
 * hour (src/core/breadth.ts), most liquidated first. A row opens that asset's detail: its meter,
 * read from its published reading, and a link to its trading page on the preferred exchange.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Breadth } from '../core/breadth';
import type { ScopeReading } from '../core/engine';
import { exchangeName } from '../core/exchanges';
import { tradingUrl } from '../sites';
import { readReadings } from '../ui/bus';
import { fmt, t } from '../ui/i18n';
import { Meter } from '../ui/Meter';
import { FigureCells, FigureHeads, type MissingReasons } from './columns';

/** A ranked asset has liquidations (its long share is known); its OI change and funding may not be. */
const BREADTH_REASONS: MissingReasons = { oiChange: () => t('whyBreadthNoOiChange'), funding: () => t('whyNoFunding') };

/** `open`: the asset whose detail shows (the popup holds it: its history follows the detail). */
export function BreadthSection({ breadth, exchange, now, open, onOpen: setOpen }: { breadth: Breadth | undefined; exchange: string; now: number; open: string | null; onOpen: (asset: string | null) => void }) {
  const rows = breadth?.rows ?? [];
  const f = fmt();
  return (
    <section data-section="breadth" aria-labelledby="breadth-heading">
      <h2 id="breadth-heading">{t('popupBreadth')}</h2>
      {open ? <AssetDetail asset={open} exchange={exchange} now={now} onClose={() => setOpen(null)} /> : null}
      {rows.length === 0 ? (
        <p class="muted">{t('popupBreadthNone')}</p>
      ) : (
        <table class="assets breadth">
          <caption class="muted">{t('popupBreadthCount', [f.count(breadth!.assets)])}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colAsset')}</th>
              <FigureHeads />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.asset} data-row data-asset={row.asset} data-phase={row.phase} class="breadth-row" aria-current={open === row.asset ? 'true' : undefined}>
                <th scope="row">
                  <button type="button" class="link" data-field="asset" aria-expanded={open === row.asset} aria-label={t('popupBreadthOpen', [row.asset])} onClick={() => setOpen(open === row.asset ? null : row.asset)}>
                    {row.asset}
                  </button>
                </th>
                <FigureCells liq1hUsd={row.liq1hUsd} sampled={row.sampled} longShare={row.longShare} oiChange1h={row.oiChange1h} funding8h={row.funding8h} reasons={BREADTH_REASONS} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One asset's meter from its published reading, and its trading page. */
function AssetDetail({ asset, exchange, now, onClose }: { asset: string; exchange: string; now: number; onClose: () => void }) {
  const [reading, setReading] = useState<ScopeReading | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void readReadings([asset]).then((readings) => live && setReading(readings[asset] ?? null));
    return () => void (live = false);
  }, [asset]);
  const url = tradingUrl(asset, exchange);
  return (
    <div class="detail" data-section="detail" data-asset={asset}>
      <Meter asset={asset} reading={reading} now={now} />
      <p>
        <a href={url} target="_blank" rel="noopener noreferrer" data-field="trade-link">
          {t('popupOpenAsset', [asset, exchangeName(exchange)])}
        </a>{' '}
        <button type="button" class="link" data-action="close-detail" onClick={onClose}>
          {t('popupBreadthClose')}
        </button>
      </p>
    </div>
  );
}
