/**
 * Options page: watchlist, venues, trading sites, preferred exchange, meter default, and the
 * notification rules. A save sends the settings to the worker, which validates them (the one
 * schema, src/background/settings.ts), stores and applies them, and replies: the page shows that
 * reply (applied, or each refused field with its message). It follows the settings in force
 * through storage.onChanged, never by polling.
 */
import { render, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SourceStatus } from '../core/bus';
import { VENUE_IDS, type VenueId } from '../core/model';
import { exchangeName } from '../core/exchanges';
import { ALERT_PHASES, defaultSettings, LIMITS, METER_MODES, type SaveRefusal, type Settings, type SettingsIssue } from '../core/settings';
import { sites } from '../sites';
import { t, uiLanguage } from '../ui/i18n';
import { followSettings, readSettings, sendSave } from '../ui/settings';
import { addAsset, formErrors, fromForm, toForm, type FieldError, type FormErrors, type SettingsForm } from './form';

const SITE_IDS = sites.map((site) => site.id);

type Status =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'reset' }
  /** The worker refused the settings: the fields say why; `other` is what no field shows. */
  | { kind: 'invalid'; other: SettingsIssue[] }
  /** Valid, but not stored or not applied: the worker's (or the messaging's) reason. */
  | { kind: 'failed'; why: SaveRefusal };

function Options() {
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [labels, setLabels] = useState<Partial<Record<VenueId, string>>>({});
  const [newAsset, setNewAsset] = useState('');
  /** Edits not saved yet, or a save under way: settings arriving from elsewhere do not overwrite them. */
  const busy = useRef({ dirty: false, saving: false });

  useEffect(() => {
    const controller = new AbortController();
    readSettings().then(({ settings }) => {
      if (!busy.current.dirty) setForm(toForm(settings, SITE_IDS));
    });
    // The settings in force change when another device syncs, or another options page saves.
    followSettings((settings) => {
      if (!busy.current.dirty && !busy.current.saving) setForm(toForm(settings, SITE_IDS));
    }, controller.signal);
    // Venue names as the worker labels them (the venue modules stay out of this page).
    chrome.storage.local.get('sources').then((stored) => {
      const sources = (stored.sources as SourceStatus[] | undefined) ?? [];
      setLabels(Object.fromEntries(sources.map((s) => [s.venue, s.label])));
    });
    return () => controller.abort();
  }, []);

  if (!form) return <p aria-busy="true">{t('optionsLoading')}</p>;

  const update = (patch: Partial<SettingsForm>) => {
    busy.current.dirty = true;
    setForm({ ...form, ...patch });
    setStatus({ kind: 'idle' });
  };

  /** Sends the settings; what the page shows next is the worker's reply. */
  const save = async (settings: Settings, done: Status) => {
    busy.current.saving = true;
    setStatus({ kind: 'saving' });
    const reply = await sendSave(settings);
    busy.current.saving = false;
    if (reply.applied) {
      busy.current.dirty = false;
      setErrors({});
      setForm(toForm(reply.settings, SITE_IDS));
      setStatus(done);
      return;
    }
    if (reply.why.issues) {
      const { errors, other } = formErrors(reply.why.issues);
      setErrors(errors);
      setStatus({ kind: 'invalid', other });
      // Take the keyboard to the first field that needs fixing.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setStatus({ kind: 'failed', why: reply.why });
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    void save(fromForm(form), { kind: 'saved' });
  };

  const onReset = () => void save(defaultSettings(), { kind: 'reset' });

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

      <fieldset>
        <legend>{t('optWatchlist')}</legend>
        <p class="help" id="watch-help">
          {t('optWatchlistHelp')}
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

      <fieldset data-section="tape">
        <legend>{t('optTape')}</legend>
        <p class="help">{t('optTapeHelp')}</p>
        <NumberInput id="tape-min" label={t('optTapeMin')} value={form.tapeMinK} unit={t('unitThousandUsd')} error={err('tapeMinK')} onInput={(v) => update({ tapeMinK: v })} />
        <div class="rule">
          <Check id="tape-sound-on" label={t('optTapeSound')} checked={form.tapeSound} onChange={(on) => update({ tapeSound: on })} />
          <NumberInput id="tape-sound" label={t('optTapeSoundMin')} value={form.tapeSoundK} unit={t('unitThousandUsd')} error={err('tapeSoundK')} disabled={!form.tapeSound} onInput={(v) => update({ tapeSoundK: v })} />
        </div>
      </fieldset>

      <details>
        <summary>{t('optModel')}</summary>
        <p class="help">{t('optModelHelp')}</p>
        <NumberInput id="flush-intensity" label={t('optFlushIntensity')} value={form.flushIntensity} unit="×" error={err('flushIntensity')} onInput={(v) => update({ flushIntensity: v })} />
        <NumberInput id="dominant-share" label={t('optDominantShare')} value={form.dominantPercent} unit="%" error={err('dominantPercent')} onInput={(v) => update({ dominantPercent: v })} />
        <NumberInput id="min-flush-market" label={t('optMinFlushMarket')} value={form.minFlushMarketM} unit={t('unitMillionUsd')} error={err('minFlushMarketM')} onInput={(v) => update({ minFlushMarketM: v })} />
        <NumberInput id="min-flush-asset" label={t('optMinFlushAsset')} value={form.minFlushAssetM} unit={t('unitMillionUsd')} error={err('minFlushAssetM')} onInput={(v) => update({ minFlushAssetM: v })} />
      </details>

      <details>
        <summary>{t('optLevels')}</summary>
        <TextInput id="leverage-mix" label={t('optLeverageMix')} help={t('optLevelsHelp')} value={form.leverageMix} placeholder="5×15, 10×30, 25×25, 50×20, 100×10" error={err('leverageMix')} onInput={(v) => update({ leverageMix: v })} />
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
      return (
        <>
          {t('optInvalid')}
          {status.other.length ? (
            <ul data-field="issues">
              {status.other.map((issue) => (
                <li key={issue.path}>{t('saveIssue', [issue.path, t(issue.key, issue.values?.map(String))])}</li>
              ))}
            </ul>
          ) : null}
        </>
      );
    case 'failed':
      return <>{t(status.why.key, status.why.substitutions)}</>;
  }
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

function TextInput(props: InputProps) {
  const { id, value, error, onInput, disabled, help, placeholder } = props;
  return (
    <Field {...props}>
      <input
        id={id}
        name={id}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        autocomplete="off"
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={`${help ? `${id}-help ` : ''}${id}-error`}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
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
