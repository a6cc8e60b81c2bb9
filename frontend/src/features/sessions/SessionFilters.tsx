import { type FormEvent, useState } from 'react';
import { InputField } from '../../components/FormField';

interface SessionFiltersProps {
  userId: string;
  from: string;
  to: string;
  onApply: (filters: { userId: string; from: string; to: string }) => void;
}

/** Applied on submit, so typing a user id does not fire a query per key. */
export function SessionFilters({ userId, from, to, onApply }: SessionFiltersProps) {
  const [draft, setDraft] = useState({ userId, from, to });
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if ((draft.from === '') !== (draft.to === '') || draft.from > draft.to) {
      setError('Give both days of the range, the first not after the last, or neither.');
      return;
    }
    setError(null);
    onApply({ ...draft, userId: draft.userId.trim() });
  }

  return (
    <form className="toolbar" onSubmit={submit} aria-label="Session filters">
      <InputField
        label="User id"
        type="search"
        value={draft.userId}
        placeholder="e.g. alice@example.com"
        onChange={(e) => setDraft({ ...draft, userId: e.target.value })}
      />
      <InputField label="From (UTC)" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
      <InputField label="To (UTC)" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
      <button type="submit" className="button button-primary">
        Apply
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
