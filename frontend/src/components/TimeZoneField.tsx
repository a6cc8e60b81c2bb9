import { isUtc, timeZoneOptions } from '../lib/timezones';
import { SelectField } from './FormField';

interface TimeZoneFieldProps {
  value: string;
  onChange: (timezone: string) => void;
  /** Hourly buckets are stored; without them only UTC days can be answered. */
  available: boolean;
}

/**
 * The zone whose calendar days the usage rows are: UTC (the providers' days)
 * or a local zone, summed from hourly buckets. Shown only when hours are
 * stored, or when a link already asks for a zone (so it can be set back).
 */
export function TimeZoneField({ value, onChange, available }: TimeZoneFieldProps) {
  if (!available && isUtc(value)) return null;
  return (
    <SelectField
      label="Time zone"
      hint={isUtc(value) ? 'Days are UTC days' : 'Days are local days, from hourly usage'}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      {timeZoneOptions(value).map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </SelectField>
  );
}
