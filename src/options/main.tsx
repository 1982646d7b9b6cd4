/**
 * Options page: watchlist, venues, trading sites, preferred exchange, meter default, and the
 * notification rules. It writes storage.sync; the worker validates with zod, publishes the
 * settings in force to storage.local, and this page confirms against what was published.
 */
import { render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SourceStatus } from '../core/bus';
import { VENUE_IDS, type VenueId } from '../core/model';
import { ALERT_PHASES, defaultSettings, exchangeName, LIMITS, METER_MODES, sameSettings, SETTINGS_SYNC_KEY, type Settings } from '../core/settings';
import { sites } from '../sites';
import { t, uiLanguage } from '../ui/i18n';
import { readSettings } from '../ui/settings';
import { addAsset, fromForm, toForm, type FieldError, type FormErrors, type SettingsForm } from './form';

const SITE_IDS = sites.map((site) => site.id);
/** How long to wait for the worker to publish the saved settings before reporting what it kept. */
const CONFIRM_TIMEOUT_MS = 4_000;

type Status = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'invalid' } | { kind: 'replaced'; issues: string[] } | { kind: 'reset' };

function Options() {
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [issues, setIssues] = useState<string[]>([]);
  const [labels, setLabels] = useState<Partial<Record<VenueId, string>>>({});
  const [newAsset, setNewAsset] = useState('');

  useEffect(() => {
    readSettings().then(({ settings, issues }) => {
      setForm(toForm(settings, SITE_IDS));
      setIssues(issues);
    });
    // Venue names as the worker labels them (the venue modules stay out of this page).
    chrome.storage.local.get('sources').then((stored) => {
      const sources = (stored.sources as SourceStatus[] | undefined) ?? [];
      setLabels(Object.fromEntries(sources.map((s) => [s.venue, s.label])));
    });
  }, []);

  if (!form) return <p aria-busy="true">{t('optionsLoading')}</p>;

  const update = (patch: Partial<SettingsForm>) => {
    setForm({ ...form, ...patch });
    setStatus({ kind: 'idle' });
  };

  const save = async (settings: Settings, done: Status) => {
    setStatus({ kind: 'saving' });
    await chrome.storage.sync.set({ [SETTINGS_SYNC_KEY]: settings });
    const kept = await confirmPublished(settings);
    setForm(toForm(kept.settings, SITE_IDS));
    setIssues(kept.issues);
    setStatus(kept.issues.length ? { kind: 'replaced', issues: kept.issues } : done);
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const result = fromForm(form);
    setErrors(result.errors ?? {});
    if (!result.settings) {
      setStatus({ kind: 'invalid' });
      // Take the keyboard to the first field that needs fixing.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    void save(result.settings, { kind: 'saved' });
  };

  const onReset = () => {
    setErrors({});
    void save(defaultSettings(), { kind: 'reset' });
  };

  const onAdd = () => {
    const result = addAsset(form.watchlist, newAsset);
    if ('error' in result) {
      setErrors({ ...errors, newAsset: result.error });
      return;
    }
    const { newAsset: _, watchlist: __, ...rest } = errors;
    setErrors(rest);
    setNewAsset('');
    update({ watchlist: result.rows });
  };

  const err = (field: string) => errors[field];

  return (
    <form onSubmit={onSubmit} noValidate>
      <h1>{t('optionsTitle')}</h1>
      {issues.length && status.kind === 'idle' ? <IssueList issues={issues} /> : null}

      <fieldset>
        <legend>{t('optWatchlist')}</legend>
        <p class="help" id="watch-help">
          {t('optWatchlistHelp', [String(LIMITS.watchlistMax)])}
        </p>
        <table class="watchlist">
          <thead>
            <tr>
              <th scope="col">{t('colAsset')}</th>
              <th scope="col">{t('optAssetThreshold')}</th>
              <th scope="col">
                <span class="sr-only">{t('optActions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {form.watchlist.map((row, i) => (
              <tr key={row.asset} data-asset={row.asset}>
                <th scope="row">{row.asset}</th>
                <td>
                  <NumberInput
                    id={`threshold-${row.asset}`}
                    label={t('optAssetThresholdFor', [row.asset])}
                    hideLabel
                    value={row.thresholdM}
                    placeholder={form.asset1hM}
                    unit={t('unitMillionUsd')}
                    error={err(`threshold:${row.asset}`)}
                    onInput={(value) => update({ watchlist: form.watchlist.map((r, j) => (j === i ? { ...r, thresholdM: value } : r)) })}
                  />
                </td>
                <td>
                  <button type="button" class="link" aria-label={t('optRemoveAsset', [row.asset])} onClick={() => update({ watchlist: form.watchlist.filter((_, j) => j !== i) })}>
                    {t('optRemove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <FieldErrorText id="watchlist-error" error={err('watchlist')} />
        <div class="row">
          <label for="new-asset">{t('optAddAsset')}</label>
          <input
            id="new-asset"
            name="newAsset"
            value={newAsset}
            autocomplete="off"
            spellcheck={false}
            maxLength={12}
            aria-describedby="watch-help new-asset-error"
            aria-invalid={err('newAsset') ? 'true' : undefined}
            onInput={(e) => setNewAsset(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                onAdd();
              }
            }}
          />
          <button type="button" onClick={onAdd} data-action="add-asset">
            {t('optAdd')}
          </button>
        </div>
        <FieldErrorText id="new-asset-error" error={err('newAsset')} />
      </fieldset>

      <fieldset>
        <legend>{t('optVenues')}</legend>
        <p class="help">{t('optVenuesHelp')}</p>
        <div class="checks">
          {VENUE_IDS.map((id) => (
            <Check key={id} id={`venue-${id}`} label={labels[id] ?? exchangeName(id)} checked={form.venues[id]} onChange={(on) => update({ venues: { ...form.venues, [id]: on } })} />
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('optPages')}</legend>
        <div class="checks">
          {SITE_IDS.map((id) => (
            <Check key={id} id={`site-${id}`} label={t('optShowOn', [exchangeName(id)])} checked={form.sites[id] !== false} onChange={(on) => update({ sites: { ...form.sites, [id]: on } })} />
          ))}
        </div>
        <div class="row">
          <label for="preferred">{t('optPreferred')}</label>
          <select id="preferred" value={form.preferredExchange} onChange={(e) => update({ preferredExchange: e.currentTarget.value })}>
            {SITE_IDS.map((id) => (
              <option key={id} value={id}>
                {exchangeName(id)}
              </option>
            ))}
          </select>
        </div>
        <div role="radiogroup" aria-labelledby="meter-mode-label" class="row">
          <span id="meter-mode-label">{t('optMeterMode')}</span>
          {METER_MODES.map((mode) => (
            <label key={mode}>
              <input type="radio" name="meterMode" value={mode} checked={form.meterMode === mode} onChange={() => update({ meterMode: mode })} />
              {t(mode === 'compact' ? 'optCompact' : 'optExpanded')}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>{t('optNotifications')}</legend>
        <div class="rule">
          <Check id="market1h-on" label={t('optMarket1h')} checked={form.market1hEnabled} onChange={(on) => update({ market1hEnabled: on })} />
          <NumberInput id="market1h" label={t('optThreshold')} value={form.market1hM} unit={t('unitMillionUsd')} error={err('market1hM')} disabled={!form.market1hEnabled} onInput={(v) => update({ market1hM: v })} />
        </div>
        <div class="rule">
          <Check id="asset1h-on" label={t('optAsset1h')} checked={form.asset1hEnabled} onChange={(on) => update({ asset1hEnabled: on })} />
          <NumberInput id="asset1h" label={t('optThresholdDefault')} value={form.asset1hM} unit={t('unitMillionUsd')} error={err('asset1hM')} disabled={!form.asset1hEnabled} onInput={(v) => update({ asset1hM: v })} />
        </div>
        <NumberInput id="min-side" label={t('optMinSide')} help={t('optMinSideHelp')} value={form.minSidePercent} unit="%" error={err('minSidePercent')} onInput={(v) => update({ minSidePercent: v })} />
        <Check id="funding-flip" label={t('optFundingFlip')} checked={form.fundingFlip} onChange={(on) => update({ fundingFlip: on })} />
        <fieldset class="inner">
          <legend>{t('optPhases')}</legend>
          <div class="checks">
            {ALERT_PHASES.map((phase) => (
              <Check key={phase} id={`phase-${phase}`} label={t(`phase_${phase}`)} checked={form.phases[phase]} onChange={(on) => update({ phases: { ...form.phases, [phase]: on } })} />
            ))}
          </div>
        </fieldset>
        <NumberInput id="cooldown" label={t('optCooldown')} help={t('optCooldownHelp')} value={form.cooldownMinutes} unit={t('unitMinutes')} error={err('cooldownMinutes')} onInput={(v) => update({ cooldownMinutes: v })} />
        <fieldset class="inner">
          <legend>{t('optQuietHours')}</legend>
          <Check id="quiet-on" label={t('optQuietOn')} checked={form.quietEnabled} onChange={(on) => update({ quietEnabled: on })} />
          <div class="row">
            <TimeInput id="quiet-start" label={t('optFrom')} value={form.quietStart} error={err('quietStart')} disabled={!form.quietEnabled} onInput={(v) => update({ quietStart: v })} />
            <TimeInput id="quiet-end" label={t('optTo')} value={form.quietEnd} error={err('quietEnd')} disabled={!form.quietEnabled} onInput={(v) => update({ quietEnd: v })} />
          </div>
        </fieldset>
      </fieldset>

      <details>
        <summary>{t('optModel')}</summary>
        <p class="help">{t('optModelHelp')}</p>
        <NumberInput id="flush-intensity" label={t('optFlushIntensity')} value={form.flushIntensity} unit="×" error={err('flushIntensity')} onInput={(v) => update({ flushIntensity: v })} />
        <NumberInput id="dominant-share" label={t('optDominantShare')} value={form.dominantPercent} unit="%" error={err('dominantPercent')} onInput={(v) => update({ dominantPercent: v })} />
        <NumberInput id="min-flush-market" label={t('optMinFlushMarket')} value={form.minFlushMarketM} unit={t('unitMillionUsd')} error={err('minFlushMarketM')} onInput={(v) => update({ minFlushMarketM: v })} />
        <NumberInput id="min-flush-asset" label={t('optMinFlushAsset')} value={form.minFlushAssetM} unit={t('unitMillionUsd')} error={err('minFlushAssetM')} onInput={(v) => update({ minFlushAssetM: v })} />
      </details>

      <div class="actions">
        <button type="submit" data-action="save" disabled={status.kind === 'saving'}>
          {t('optSave')}
        </button>
        <button type="button" data-action="reset" onClick={onReset} disabled={status.kind === 'saving'}>
          {t('optReset')}
        </button>
        <p role="status" aria-live="polite" data-field="status" data-status={status.kind}>
          <StatusText status={status} />
        </p>
      </div>
    </form>
  );
}

/** Waits for the worker to publish what was saved; returns what is in force then. */
async function confirmPublished(saved: Settings): Promise<{ settings: Settings; issues: string[] }> {
  const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
  let current = await readSettings();
  while (!sameSettings(current.settings, saved) && current.issues.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    current = await readSettings();
  }
  return current;
}

function StatusText({ status }: { status: Status }) {
  switch (status.kind) {
    case 'idle':
      return null;
    case 'saving':
      return <>{t('optSaving')}</>;
    case 'saved':
      return <>{t('optSaved')}</>;
    case 'reset':
      return <>{t('optResetDone')}</>;
    case 'invalid':
      return <>{t('optInvalid')}</>;
    case 'replaced':
      return <IssueList issues={status.issues} />;
  }
}

function IssueList({ issues }: { issues: string[] }) {
  return (
    <span class="issues" data-field="issues">
      {t('optIssues')}
      <ul>
        {issues.map((issue) => (
          <li key={issue}>{issue}</li>
        ))}
      </ul>
    </span>
  );
}

function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <label class="check" for={id}>
      <input type="checkbox" id={id} name={id} checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      {label}
    </label>
  );
}

function FieldErrorText({ id, error }: { id: string; error: FieldError | undefined }) {
  // Always in the DOM so aria-describedby resolves; empty until there is something to say.
  return (
    <span id={id} class="error" data-error-for={id}>
      {error ? t(error.key, error.substitutions) : ''}
    </span>
  );
}

interface InputProps {
  id: string;
  label: string;
  value: string;
  error: FieldError | undefined;
  onInput: (value: string) => void;
  disabled?: boolean;
  help?: string;
  unit?: string;
  placeholder?: string;
  hideLabel?: boolean;
}

function Field({ id, label, help, hideLabel, unit, error, children }: Pick<InputProps, 'id' | 'label' | 'help' | 'hideLabel' | 'unit' | 'error'> & { children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id} class={hideLabel ? 'sr-only' : undefined}>
        {label}
        {/* The unit shown after the input is decoration; screen readers hear it with the label. */}
        {unit ? <span class="sr-only"> ({unit})</span> : null}
      </label>
      {children}
      {help ? (
        <span class="help" id={`${id}-help`}>
          {help}
        </span>
      ) : null}
      <FieldErrorText id={`${id}-error`} error={error} />
    </div>
  );
}

function NumberInput(props: InputProps) {
  const { id, value, error, onInput, disabled, help, unit, placeholder } = props;
  return (
    <Field {...props}>
      <span class="with-unit">
        <input
          id={id}
          name={id}
          inputMode="decimal"
          value={value}
          placeholder={placeholder}
          disabled={disabled}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={`${help ? `${id}-help ` : ''}${id}-error`}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
        {unit ? <span aria-hidden="true">{unit}</span> : null}
      </span>
    </Field>
  );
}

function TimeInput(props: InputProps) {
  const { id, value, error, onInput, disabled } = props;
  return (
    <Field {...props}>
      <input id={id} name={id} type="time" value={value} disabled={disabled} aria-invalid={error ? 'true' : undefined} aria-describedby={`${id}-error`} onInput={(e) => onInput(e.currentTarget.value)} />
    </Field>
  );
}

document.documentElement.lang = uiLanguage();
document.title = t('optionsTitle');
render(<Options />, document.getElementById('app')!);
