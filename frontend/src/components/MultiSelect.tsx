import { useId } from 'react';

interface MultiSelectProps {
  label: string;
  options: readonly string[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  /** How to show an option; the API value stays in the URL and the filter. */
  display?: (value: string) => string;
}

/**
 * A disclosure with a checkbox per value: native controls, so keyboard and
 * screen-reader support come from the browser.
 */
export function MultiSelect({ label, options, selected, onChange, display = (v) => v }: MultiSelectProps) {
  const id = useId();
  // A value from a shared link may be absent in this range; keep it visible so it can be cleared.
  // Listed in the order they read, which for named ids is not the order of the ids.
  const values = [...new Set([...options, ...selected])].sort((a, b) => display(a).localeCompare(display(b)));
  const summary =
    selected.length === 0 ? 'All' : selected.length === 1 ? display(selected[0] ?? '') : `${selected.length} selected`;
  const summaryTitle = selected.length === 1 && display(selected[0] ?? '') !== selected[0] ? selected[0] : undefined;
  return (
    <details className="multi-select">
      <summary aria-describedby={`${id}-value`}>
        <span className="multi-select-label">{label}</span>
        <span id={`${id}-value`} className="multi-select-value" title={summaryTitle}>
          {summary}
        </span>
      </summary>
      <fieldset className="multi-select-panel">
        <legend className="visually-hidden">{label}</legend>
        {values.length === 0 && <p className="muted">No values in this range.</p>}
        {values.map((value) => (
          // A value shown by name keeps its id in the tooltip.
          <label key={value} className="check" title={display(value) === value ? undefined : value}>
            <input
              type="checkbox"
              checked={selected.includes(value)}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, value] : selected.filter((v) => v !== value))
              }
            />
            <span>{display(value)}</span>
          </label>
        ))}
        {selected.length > 0 && (
          <button type="button" className="link-button" onClick={() => onChange([])}>
            Clear {label.toLowerCase()}
          </button>
        )}
      </fieldset>
    </details>
  );
}
