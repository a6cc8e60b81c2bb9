import { lastDays } from '../lib/dates';
import { InputField } from './FormField';

const PRESETS = [7, 30, 90] as const;

interface DateRangeFieldsProps {
  from: string;
  to: string;
  onChange: (range: { from: string; to: string }) => void;
  /** The zone whose calendar days the range counts; UTC when absent. */
  zone?: string;
}

/** A day range (UTC days unless `zone` says otherwise) with quick presets; a half-edited range is not applied. */
export function DateRangeFields({ from, to, onChange, zone = 'UTC' }: DateRangeFieldsProps) {
  return (
    <fieldset className="field-group date-range">
      <legend>Date range ({zone})</legend>
      <InputField
        label="From"
        type="date"
        value={from}
        max={to}
        required
        onChange={(e) => e.target.value && e.target.value <= to && onChange({ from: e.target.value, to })}
      />
      <InputField
        label="To"
        type="date"
        value={to}
        min={from}
        required
        onChange={(e) => e.target.value && e.target.value >= from && onChange({ from, to: e.target.value })}
      />
      <div className="presets" role="group" aria-label="Quick ranges">
        {PRESETS.map((days) => {
          const range = lastDays(days);
          const active = range.from === from && range.to === to;
          return (
            <button
              key={days}
              type="button"
              className="chip"
              aria-pressed={active}
              onClick={() => onChange(range)}
            >
              {days} days
            </button>
          );
        })}
      </div>
    </fieldset>
  );
}
