import type { Provider } from '../gql/graphql';
import { oneOf, PROVIDERS } from '../lib/enums';
import { SelectField } from './FormField';

interface ProviderSelectProps {
  value: Provider | null;
  onChange: (provider: Provider | null) => void;
  /** The providers offered beside "Every provider". */
  options?: readonly Provider[];
}

/** A provider dropdown whose empty choice means every provider. */
export function ProviderSelect({ value, onChange, options = PROVIDERS }: ProviderSelectProps) {
  return (
    <SelectField label="Provider" value={value ?? ''} onChange={(e) => onChange(oneOf(options, e.target.value) ?? null)}>
      <option value="">Every provider</option>
      {options.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </SelectField>
  );
}
