/**
 * The order form by structure, for layouts no selector knows: the smallest region that holds a
 * price or size input, two opposite action buttons (buy/long and sell/short, by their text in the
 * languages the sites speak, or by their green/red colour) and a leverage or margin-mode control
 * ("Cross 20x", "全仓 20x", "Кросс 20x", "20x") in any element. Search, login and chat boxes,
 * promotions and announcements lack one of the three and never win.
 *
 * Loaded on demand (anchor.ts `loadStructure`): a page whose panel the selectors find never
 * downloads it, and it stays out of what the content script injects at first paint.
 */
import type { FoundAnchor } from './anchor';

/** A term as a whole word in scripts with word spaces (Latin, Cyrillic, Hangul …): "Al" but not "Alert". */
function words(terms: string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

/**
 * Side-button labels in the sites' languages. Latin, Cyrillic and Hangul terms are whole words;
 * Chinese and Japanese ones have no word spaces and match anywhere in a short label.
 */
const BUY = [
  // en, es/pt, tr, vi, ru, ko
  words(['buy', 'long', 'open long', 'comprar', 'compra', 'largo', 'al', 'uzun', 'mua', 'купить', 'покупка', 'лонг', '매수', '롱']),
  // zh (买入, 开多, 做多), ja (買い, ロング)
  /买|开多|做多|買|ロング/u,
];
const SELL = [
  words(['sell', 'short', 'open short', 'vender', 'venta', 'vende', 'corto', 'sat', 'kısa', 'bán', 'продать', 'продажа', 'шорт', '매도', '숏']),
  /卖|开空|做空|売|ショート/u,
];
/**
 * A leverage or margin-mode control: the multiplier ("20x", "10.00x", "20X", "20×") or the
 * margin mode or leverage named in one of the sites' languages.
 */
const LEVERAGE = [
  /(?<![\p{L}\p{N}.])\d{1,3}(?:\.\d+)?\s?[x×](?![\p{L}\p{N}])/iu,
  words(['leverage', 'cross', 'isolated', 'margin mode', 'кросс', 'изолированная', 'изолир', 'плечо', 'cruzado', 'aislado', 'apalancamiento', 'çapraz', 'izole', 'kaldıraç', 'chéo', 'cô lập', 'đòn bẩy', '교차', '격리', '레버리지']),
  /全仓|逐仓|杠杆|槓桿|全倉|逐倉|クロス|分離|レバレッジ/u,
];
const BUTTONS = 'button, [role="button"], [role="tab"], [role="radio"], input[type="submit"], input[type="button"]';
/** Side-button labels are short; long text is a sentence or a whole block, not a button. */
const MAX_LABEL = 24;
/** How far up from a buy button the panel may be. */
const MAX_DEPTH = 12;
/** Inputs that are never an order's price or size: what search, login and chat boxes hold. */
const NOT_SIZE_TYPES = new Set(['checkbox', 'radio', 'range', 'hidden', 'button', 'submit', 'search', 'email', 'password', 'file', 'image', 'reset']);
const NOT_SIZE_NAMES = [/search|e-?mail|password|message|chat|comment|buscar|поиск|搜索|搜尋|검색/iu, words(['ara', 'tìm'])];

function label(element: Element): string {
  const text = element instanceof HTMLInputElement ? element.value : (element.textContent ?? '');
  return text.length > MAX_LABEL * 4 ? '' : text.trim();
}

function matchesAny(patterns: RegExp[], text: string): boolean {
  return patterns.some((pattern) => pattern.test(text));
}

function isSizeInput(input: HTMLInputElement): boolean {
  if (NOT_SIZE_TYPES.has(input.type)) return false;
  const named = `${input.name} ${input.placeholder} ${input.getAttribute('aria-label') ?? ''} ${input.id}`;
  return !matchesAny(NOT_SIZE_NAMES, named);
}

/** Green or red, from the button's background (else its text) colour: how icon-only side buttons tell buy from sell. */
function sideColour(element: Element): 'buy' | 'sell' | null {
  const style = getComputedStyle(element);
  for (const colour of [style.backgroundColor, style.color]) {
    const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour ?? '');
    if (!rgb) continue;
    const [r, g, b] = [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
    if (g > r + 40 && g >= b) return 'buy';
    if (r > g + 40 && r >= b) return 'sell';
  }
  return null;
}

/** Buy and sell buttons by label; where the labels name neither side (an unknown language, icons), by colour. */
function sideButtons(root: ParentNode): { buys: Element[]; sells: Element[] } {
  const buttons = [...root.querySelectorAll(BUTTONS)].filter((b) => label(b).length <= MAX_LABEL);
  const buys = buttons.filter((b) => matchesAny(BUY, label(b)));
  const sells = buttons.filter((b) => matchesAny(SELL, label(b)));
  if (buys.length && sells.length) return { buys, sells };
  const coloured = buttons.map((b) => [b, sideColour(b)] as const);
  return {
    buys: buys.length ? buys : coloured.filter(([, side]) => side === 'buy').map(([b]) => b),
    sells: sells.length ? sells : coloured.filter(([, side]) => side === 'sell').map(([b]) => b),
  };
}

/** Elements whose own text names leverage or a margin mode ("Cross 20x" may sit in a plain div). */
function leverageElements(root: ParentNode): Element[] {
  const found: Element[] = [];
  const start = root instanceof Document ? root.body : root;
  if (!start) return found;
  const walker = document.createTreeWalker(start as Node, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue ?? '';
    if (text.length > MAX_LABEL * 4 || !text.trim()) continue;
    // "Cross" and "20x" in two spans of one control each match on their own.
    if (node.parentElement && matchesAny(LEVERAGE, text)) found.push(node.parentElement);
  }
  for (const input of (root as ParentNode).querySelectorAll('input')) {
    const named = `${input.name} ${input.placeholder} ${input.getAttribute('aria-label') ?? ''} ${input.id}`;
    if (matchesAny(LEVERAGE, named)) found.push(input);
  }
  return found;
}

/** A login form is never the order form, however much else it holds. */
function isLoginOrSearch(container: Element): boolean {
  return container.querySelector('input[type="password"], input[type="search"], [role="search"]') !== null;
}

/**
 * The smallest element holding a buy/long button, a sell/short button, a price or size input and
 * a leverage or margin-mode control. Chart tools named "Long Position" fail the input and leverage
 * tests; a page column holding the panel and more loses to the panel inside it.
 */
export function findByStructure(root: ParentNode = document): FoundAnchor | null {
  const { buys, sells } = sideButtons(root);
  if (buys.length === 0 || sells.length === 0) return null;
  const leverage = leverageElements(root);
  if (leverage.length === 0) return null;
  const found: Element[] = [];
  for (const buy of buys) {
    let container = buy.parentElement;
    for (let depth = 0; container && depth < MAX_DEPTH; depth++, container = container.parentElement) {
      if (container === document.body || container === document.documentElement) break;
      if (!sells.some((sell) => sell !== buy && !sell.contains(buy) && !buy.contains(sell) && container!.contains(sell))) continue;
      if (![...container.querySelectorAll('input')].some(isSizeInput)) continue;
      // Some tickets keep leverage in a widget beside the form: keep climbing until it is in.
      if (!leverage.some((element) => container!.contains(element))) continue;
      if (!isLoginOrSearch(container)) found.push(container);
      break;
    }
  }
  // Innermost wins: a candidate that holds another candidate is a page column, not the panel.
  const innermost = found.find((candidate) => !found.some((other) => other !== candidate && candidate.contains(other)));
  return innermost ? { element: innermost, foundBy: 'heuristic' } : null;
}
