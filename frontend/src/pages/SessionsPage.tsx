import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { SessionsQuery } from '../api/queries';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { Empty, QueryView } from '../components/Status';
import type { SessionsQuery as Result } from '../gql/graphql';
import { useCursorTrail } from '../hooks/useCursorPages';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { useSearchState } from '../hooks/useSearchState';
import { formatDateTime } from '../lib/dates';
import { parseSessionList, sessionListToParams } from '../lib/filters';
import { formatCount, formatDuration } from '../lib/format';
import { formatUsd } from '../lib/money';
import { type NameIndex, nameOrId } from '../lib/names';

const PAGE_SIZE = 25;

type SessionRow = Result['sessions']['nodes'][number];
const column = createColumnHelper<SessionRow>();
/** Application user ids are the app's own; one a provider also reports (e.g. its user id) reads by name. */
const sessionColumns = (names: NameIndex) => [
  column.accessor('startedAt', {
    header: 'Started',
    cell: ({ row: { original } }) => (
      <Link to={`/sessions/${encodeURIComponent(original.id)}`}>{formatDateTime(original.startedAt)}</Link>
    ),
  }),
  column.accessor((s) => nameOrId(names, 'USER', s.userId), {
    id: 'userId',
    header: 'User',
    cell: ({ getValue, row: { original } }) =>
      getValue() === original.userId ? getValue() : <span title={original.userId}>{getValue()}</span>,
  }),
  column.accessor((s) => s.externalId ?? '', { id: 'externalId', header: 'External id' }),
  column.accessor((s) => (s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : -1), {
    id: 'duration',
    header: 'Duration',
    cell: ({ getValue }) => (getValue() < 0 ? <span className="muted">open</span> : formatDuration(getValue())),
    meta: { numeric: true },
  }),
  column.accessor('interactionCount', {
    header: 'Interactions',
    cell: ({ getValue }) => formatCount(getValue()),
    meta: { numeric: true },
  }),
  column.accessor((s) => Number(s.totalCostUsd), {
    id: 'totalCostUsd',
    header: 'Cost',
    cell: ({ row: { original } }) => <span title={original.totalCostUsd}>{formatUsd(original.totalCostUsd)}</span>,
    meta: { numeric: true },
  }),
];

export function SessionsPage() {
  const [state, update] = useSearchState(parseSessionList, sessionListToParams);
  const trail = useCursorTrail();
  const filter = {
    ...(state.userId ? { userId: state.userId } : {}),
    ...(state.from ? { from: state.from, to: state.to } : {}),
  };
  const [result, refetch] = useQuery({
    query: SessionsQuery,
    variables: { filter, first: PAGE_SIZE, after: state.after || null },
  });

  return (
    <>
      <PageHeader title="Sessions" />
      <SessionFilters
        key={`${state.userId}|${state.from}|${state.to}`}
        userId={state.userId}
        from={state.from}
        to={state.to}
        onApply={(patch) => update({ ...patch, after: '' })}
      />
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading sessions…">
        {(data) => (
          <>
            <SessionTable sessions={data.sessions.nodes} />
            <CursorPager
              label="Session pages"
              hasPrevious={state.after !== ''}
              hasNext={data.sessions.pageInfo.hasNextPage}
              onPrevious={() => update({ after: trail.at(-1) ?? '' }, { state: { cursors: trail.slice(0, -1) } })}
              onNext={() =>
                update(
                  { after: data.sessions.pageInfo.endCursor ?? '' },
                  { state: { cursors: [...trail, state.after] } },
                )
              }
            />
          </>
        )}
      </QueryView>
    </>
  );
}

function SessionTable({ sessions }: { sessions: SessionRow[] }) {
  const names = useInventoryNames();
  const columns = useMemo(() => sessionColumns(names), [names]);
  const table = useDataTable({ data: sessions, columns });
  if (sessions.length === 0) return <Empty>No sessions match these filters.</Empty>;
  return <DataTable table={table} caption="Sessions, newest first" />;
}

interface SessionFiltersProps {
  userId: string;
  from: string;
  to: string;
  onApply: (filters: { userId: string; from: string; to: string }) => void;
}

/** Applied on submit, so typing a user id does not fire a query per key. */
function SessionFilters({ userId, from, to, onApply }: SessionFiltersProps) {
  const id = useId();
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
      <div className="field">
        <label htmlFor={`${id}-user`}>User id</label>
        <input
          id={`${id}-user`}
          type="search"
          value={draft.userId}
          placeholder="e.g. alice@example.com"
          onChange={(e) => setDraft({ ...draft, userId: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From (UTC)</label>
        <input id={`${id}-from`} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To (UTC)</label>
        <input id={`${id}-to`} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
      </div>
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
