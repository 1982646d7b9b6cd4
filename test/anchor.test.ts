// @vitest-environment happy-dom
/**
 * The order form found by structure (src/content/anchor.ts), on layout fixtures shaped like each
 * site's trading page with its class names stripped (so no site selector can help), in the
 * languages traders switch the sites to, beside decoy forms, and after a re-render.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { findAnchor, loadStructure } from '../src/content/anchor';
import { findByStructure } from '../src/content/structure';
import { sites } from '../src/sites';

interface Words {
  buy: string;
  sell: string;
  cross: string;
  price: string;
  size: string;
}

const LANGUAGES: Record<string, Words> = {
  en: { buy: 'Buy/Long', sell: 'Sell/Short', cross: 'Cross', price: 'Price', size: 'Size' },
  zh: { buy: '买入/开多', sell: '卖出/开空', cross: '全仓', price: '价格', size: '数量' },
  ru: { buy: 'Купить/Лонг', sell: 'Продать/Шорт', cross: 'Кросс', price: 'Цена', size: 'Количество' },
  es: { buy: 'Comprar/Largo', sell: 'Vender/Corto', cross: 'Cruzado', price: 'Precio', size: 'Cantidad' },
  tr: { buy: 'Al/Uzun', sell: 'Sat/Kısa', cross: 'Çapraz', price: 'Fiyat', size: 'Miktar' },
  vi: { buy: 'Mua/Long', sell: 'Bán/Short', cross: 'Chéo', price: 'Giá', size: 'Số lượng' },
  ko: { buy: '매수/롱', sell: '매도/숏', cross: '교차', price: '가격', size: '수량' },
};

/**
 * Each site's order panel as its real page builds it, class names stripped: where the leverage
 * sits (a button, a plain div, two spans, a label) and what the side buttons say.
 */
const PANELS: Record<string, (w: Words) => string> = {
  // Binance: margin mode and leverage as two buttons above the Limit/Market tabs.
  binance: (w) => `<div><button>${w.cross}</button><button>20x</button></div>
    <div role="tablist"><button role="tab">Limit</button><button role="tab">Market</button></div>
    <label>${w.price}<input type="text" value="72000"></label><label>${w.size}<input type="text"></label>
    <div><button>${w.buy}</button><button>${w.sell}</button></div>`,
  // Bybit: "Cross 20.00x" as plain text in a div (not a control), Long / Short buttons.
  bybit: (w) => `<div><div>${w.cross} 20.00x</div></div>
    <div><input inputmode="decimal"><input inputmode="decimal"></div>
    <div><button>${w.buy.split('/')[1] ?? w.buy}</button><button>${w.sell.split('/')[1] ?? w.sell}</button></div>`,
  // OKX: mode and multiplier in two spans of one div, Buy/Long and Sell/Short.
  okx: (w) => `<div><span>${w.cross}</span><span>20.00x</span></div>
    <div><input placeholder="${w.price}"><input placeholder="${w.size}"></div>
    <button>${w.buy}</button><button>${w.sell}</button>`,
  // Hyperliquid: Buy / Long and Sell / Short as tabs, "Cross" and "20x" buttons, one Place Order button.
  hyperliquid: (w) => `<div><button>${w.cross}</button><button>20x</button></div>
    <div role="tablist"><div role="tab">${w.buy}</div><div role="tab">${w.sell}</div></div>
    <input placeholder="${w.size}"><button>Place Order</button>`,
  // Bitget: "Open long" / "Open short" (translated), leverage "20X" in a span inside a div.
  bitget: (w) => `<div><div><span>${w.cross}</span> · <span>20X</span></div></div>
    <input type="number"><input type="number">
    <button>${w.buy}</button><button>${w.sell}</button>`,
  // BitMEX: a leverage label over a slider, Buy / Long and Sell / Short.
  bitmex: (w) => `<div><label>Leverage: 10x</label><input type="range"></div>
    <input type="text" aria-label="${w.size}"><input type="text" aria-label="${w.price}">
    <button>${w.buy}</button><button>${w.sell}</button>`,
};

/** Forms that are not the order form: search, login, chat, an announcement, a promotion, chart tools. */
const DECOYS = `
  <form role="search"><input type="search" placeholder="Search"><button>Buy crypto</button><button>Sell</button><span>125x</span></form>
  <form><input type="email"><input type="password"><button>Log in</button><button>Long</button><button>Short</button><span>Cross</span></form>
  <div><div>long squeeze incoming, 100x shorts next</div><input placeholder="Message"><button>Send</button><button>Long</button><button>Short</button></div>
  <div role="alert">Long and short BTC with up to 125x leverage. <button>Long</button><button>Short</button></div>
  <div><button>Long Position</button><button>Short Position</button><span>Cross</span></div>`;

function page(site: string, words: Words, decoys: boolean): Element {
  document.body.innerHTML = `
    <header><nav><button>Buy Crypto</button><button>Markets</button></nav></header>
    <main>
      ${decoys ? DECOYS : ''}
      <section><div>chart</div><div><div>72,001.5</div><div>72,000.0</div></div></section>
      <aside>
        <div id="panel">${PANELS[site]!(words)}</div>
        <div><div>Account</div><button>Transfer</button></div>
      </aside>
    </main>`;
  return document.getElementById('panel')!;
}

/** The exchange renders its panel anew (order type, symbol): a new node in the old one's place. */
function rerender(panel: Element): Element {
  const fresh = panel.cloneNode(true) as Element;
  panel.replaceWith(fresh);
  return fresh;
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('the order form by structure', () => {
  for (const site of Object.keys(PANELS)) {
    for (const [lang, words] of Object.entries(LANGUAGES)) {
      it(`${site}, ${lang}, beside decoy forms: the panel, again after a re-render`, () => {
        const panel = page(site, words, true);
        expect(findByStructure()?.element).toBe(panel);
        const fresh = rerender(panel);
        const found = findByStructure();
        expect(found?.element).toBe(fresh);
        expect(found?.element.isConnected).toBe(true);
      });
    }
  }

  it('every registered site has a layout here', () => {
    expect(Object.keys(PANELS).sort()).toEqual(sites.map((s) => s.id).sort());
  });

  it('tells buy from sell by colour where the buttons carry no words it knows', () => {
    document.body.innerHTML = `
      <div id="panel"><div>Cross 20x</div><input inputmode="decimal">
        <button style="background-color: rgb(14, 203, 129)">↑</button><button style="background-color: rgb(246, 70, 93)">↓</button></div>`;
    expect(findByStructure()?.element.id).toBe('panel');
  });

  it('finds nothing on a page of decoys alone: the meter docks', () => {
    document.body.innerHTML = `<main>${DECOYS}<div><input placeholder="Amount"><span>20x</span></div></main>`;
    expect(findByStructure()).toBeNull();
  });

  it('picks the smallest region: the panel, not the column holding it and the account box', () => {
    const panel = page('okx', LANGUAGES.en!, false);
    panel.parentElement!.insertAdjacentHTML('beforeend', '<div><input placeholder="Amount"></div>');
    expect(findByStructure()?.element).toBe(panel);
  });

  it('the page meter finds by structure once the finder is loaded (fetched on demand, not at first paint)', async () => {
    const panel = page('hyperliquid', LANGUAGES.ko!, true);
    expect(findAnchor([], { heuristic: true })).toBeNull();
    await loadStructure();
    expect(findAnchor([], { heuristic: true })).toEqual({ element: panel, foundBy: 'heuristic' });
    expect(findAnchor([], { heuristic: false })).toBeNull();
  });

  it('the semantic selectors every site shares come before the structure', () => {
    document.body.innerHTML = `<form aria-label="Order form" id="labelled"><input><button>Buy</button></form>${PANELS.binance!(LANGUAGES.en!)}`;
    expect(findAnchor([], { heuristic: true })).toMatchObject({ foundBy: 'selector', index: 0 });
    expect(findAnchor([], { heuristic: true })?.element.id).toBe('labelled');
  });
});
