/**
 * A view's code loaded on first use, not with the page or popup that may show it: the meter's
 * expanded view (Meter.tsx), the popup's 24 h chart (popup/History.tsx). Loaded once, then kept.
 */
import { useEffect, useState } from 'preact/hooks';

export interface LazyModule<M> {
  /** Loads the module now (a view that opens at once; tests); resolves to it. */
  load(): Promise<M>;
  /** In a component: the module once loaded, loading it when `wanted` first turns true; null until then. */
  use(wanted: boolean): M | null;
}

export function lazyModule<M extends object>(importer: () => Promise<M>): LazyModule<M> {
  let loaded: M | null = null;
  const load = async () => (loaded ??= await importer());
  return {
    load,
    use(wanted) {
      const [module, setModule] = useState(loaded);
      useEffect(() => {
        if (wanted && !module) void load().then(setModule);
      }, [wanted, module]);
      return module;
    },
  };
}
