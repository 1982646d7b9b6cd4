/**
 * Text colours meet WCAG AA (4.5:1 for text under 18.66 px bold) on their background, in the light
 * and the dark theme: the meter's (every phase's accent, as the e2e axe run sees only the phases
 * its scenario reaches), the popup's and the options page's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PHASES } from '../src/core/flush';
import { METER_CSS, METER_DARK } from '../src/ui/styles';

const AA = 4.5;

function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const s = parseInt(full.slice(i, i + 2), 16) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `--name: #hex` declarations in a block of CSS. */
function vars(css: string): Record<string, string> {
  return Object.fromEntries([...css.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b/g)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

/** Each pair's contrast, rounded, where it is below AA. */
function below(pairs: Record<string, [string, string]>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pairs)
      .map(([name, [fg, bg]]) => [name, Math.round(contrast(fg, bg) * 100) / 100] as const)
      .filter(([, ratio]) => ratio < AA),
  );
}

describe('meter colours', () => {
  const light = vars(METER_CSS.slice(METER_CSS.indexOf('.fm-meter {'), METER_CSS.indexOf('}')));
  const dark = { ...light, ...vars(METER_DARK) };
  const phases = Object.fromEntries([...METER_CSS.matchAll(/\.fm-phase-(\w+) \{ --fm-l: (#\w+); --fm-d: (#\w+); \}/g)].map((m) => [m[1]!, { l: m[2]!, d: m[3]! }]));

  it('gives every phase but warming (the muted default) a light and a dark accent', () => {
    expect(Object.keys(phases).sort()).toEqual(PHASES.filter((p) => p !== 'warming').sort());
    expect(METER_DARK).toContain('--fm-accent:var(--fm-d)');
    // The page meter's dark theme is the same palette, chosen by the host's data-theme.
    expect(METER_CSS).toContain(`:host([data-theme="dark"]) .fm-meter { ${METER_DARK} }`);
  });

  for (const [theme, palette, accent] of [
    ['light', light, 'l'],
    ['dark', dark, 'd'],
  ] as const) {
    it(`meets 4.5:1 for every text colour on the ${theme} background`, () => {
      const bg = palette['fm-bg']!;
      const pairs: Record<string, [string, string]> = {};
      for (const name of ['fm-fg', 'fm-muted', 'fm-pos', 'fm-neg', 'fm-oi', `fm-${accent}`]) pairs[name] = [palette[name]!, bg];
      for (const [phase, colours] of Object.entries(phases)) pairs[phase] = [colours[accent], bg];
      expect(Object.values(pairs).every(([fg]) => /^#/.test(fg))).toBe(true);
      expect(below(pairs)).toEqual({});
    });
  }
});

describe('popup and options page colours', () => {
  const css = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

  it('meet 4.5:1 on the popup background in both schemes', () => {
    const popup = css('../src/popup/popup.css');
    const [lightRoot, darkRoot] = [...popup.matchAll(/:root \{([^}]*)\}/g)].map((m) => vars(m[1]!));
    const check = (palette: Record<string, string>, bg: string) => below(Object.fromEntries(Object.entries(palette).map(([name, c]) => [name, [c, bg] as [string, string]])));
    expect(check(lightRoot!, '#ffffff')).toEqual({});
    expect(check(darkRoot!, '#0b0e11')).toEqual({});
  });

  it('meet 4.5:1 on the options page background in both schemes, the submit button included', () => {
    const options = css('../src/options/options.css');
    const [lightRoot, darkRoot] = [...options.matchAll(/:root \{([^}]*)\}/g)].map((m) => vars(m[1]!));
    for (const palette of [lightRoot!, darkRoot!]) {
      const { bg, border: _border, accent, 'on-accent': onAccent, ...text } = palette;
      const pairs: Record<string, [string, string]> = Object.fromEntries(Object.entries(text).map(([name, c]) => [name, [c, bg!]]));
      pairs.accent = [accent!, bg!];
      pairs['submit button'] = [onAccent!, accent!];
      expect(below(pairs)).toEqual({});
    }
  });
});
