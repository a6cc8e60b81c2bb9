import type { SessionListState } from '../../lib/filters';

const VIEWS = [
  { value: 'all', label: 'All sessions' },
  { value: 'expensive', label: 'Most expensive' },
] as const;

/** The whole list in any order, or the range's most expensive sessions. */
export function SessionViewTabs({ view, onChange }: { view: SessionListState['view']; onChange: (view: SessionListState['view']) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Sessions view">
      {VIEWS.map((v) => (
        <button key={v.value} type="button" className="chip" aria-pressed={view === v.value} onClick={() => onChange(v.value)}>
          {v.label}
        </button>
      ))}
    </div>
  );
}
