/**
 * The exchange's own theme, read from the page rather than the OS: traders run dark trading
 * pages on light desktops and the other way round. The first opaque background up the tree
 * from where the meter sits decides.
 */
export type PageTheme = 'dark' | 'light';

/** Relative luminance of an `rgb()`/`rgba()` colour (0–1), or null when transparent or unparsable. */
export function luminance(color: string): number | null {
  const parts = color.match(/[\d.]+/g)?.map(Number);
  if (!parts || parts.length < 3 || (parts.length >= 4 && parts[3]! < 0.5)) return null;
  const [r, g, b] = parts.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function pageTheme(from: Element | null): PageTheme {
  for (let element = from; element; element = element.parentElement) {
    const value = luminance(getComputedStyle(element).backgroundColor);
    if (value !== null) return value < 0.4 ? 'dark' : 'light';
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
