import { useQuery } from 'urql';
import { pageCountOf, PagedCursorPager } from '../../components/PagedCursorPager';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { useCursorTrail } from '../../hooks/useCursorPages';
import { useSearchState } from '../../hooks/useSearchState';
import { defaultRange, parseSessionList, type SessionListState, sessionListToParams } from '../../lib/filters';
import { formatCount, formatRange } from '../../lib/format';
import { SessionsQuery } from './queries';
import { SessionFilters } from './SessionFilters';
import { SessionTable } from './SessionTable';
import { SessionViewTabs } from './SessionViewTabs';

const PAGE_SIZE = 25;
/** Back to the first page: a cursor belongs to the order and filter it was given in. */
const FIRST_PAGE = { after: '', page: 1 } as const;
const NO_TRAIL = { state: { cursors: [] } };

/** The range and order the server is asked for; the most expensive view needs a range, so it falls back to the default one. */
function request(state: SessionListState) {
  const range = state.from ? { from: state.from, to: state.to } : state.view === 'expensive' ? defaultRange() : null;
  const orderBy =
    state.view === 'expensive' ? { field: 'COST', descending: true } as const : { field: state.sort, descending: state.descending };
  return { range, orderBy, filter: { ...(state.userId ? { userId: state.userId } : {}), ...(range ?? {}) } };
}

export function SessionsPage() {
  const [state, update] = useSearchState(parseSessionList, sessionListToParams);
  const trail = useCursorTrail();
  const { range, orderBy, filter } = request(state);
  const [result, refetch] = useQuery({
    query: SessionsQuery,
    variables: { filter, orderBy, first: PAGE_SIZE, after: state.after || null },
  });
  const expensive = state.view === 'expensive';
  const caption = expensive
    ? `Most expensive sessions, ${range ? formatRange(range.from, range.to) : ''}`
    : 'Sessions';

  return (
    <>
      <PageHeader title="Sessions">
        <SessionViewTabs view={state.view} onChange={(view) => update({ view, ...FIRST_PAGE }, NO_TRAIL)} />
      </PageHeader>
      <SessionFilters
        key={`${state.userId}|${state.from}|${state.to}`}
        userId={state.userId}
        from={state.from}
        to={state.to}
        onApply={(patch) => update({ ...patch, ...FIRST_PAGE }, NO_TRAIL)}
      />
      {expensive && range && (
        <h2 data-testid="expensive-title">Most expensive sessions, {formatRange(range.from, range.to)}</h2>
      )}
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading sessions…">
        {(data) => (
          <>
            <p className="muted small" data-testid="session-count" data-value={data.sessions.totalCount}>
              {formatCount(Number(data.sessions.totalCount))} sessions
            </p>
            <SessionTable
              sessions={data.sessions.nodes}
              sort={orderBy.field}
              descending={orderBy.descending}
              onSort={expensive ? undefined : (sort, descending) => update({ sort, descending, ...FIRST_PAGE }, NO_TRAIL)}
              caption={caption}
            />
            <PagedCursorPager
              label="Session pages"
              page={state.page}
              pageCount={pageCountOf(Number(data.sessions.totalCount), PAGE_SIZE)}
              hasNext={data.sessions.pageInfo.hasNextPage}
              onPrevious={() =>
                update({ after: trail.at(-1) ?? '', page: Math.max(1, state.page - 1) }, { state: { cursors: trail.slice(0, -1) } })
              }
              onNext={() =>
                update(
                  { after: data.sessions.pageInfo.endCursor ?? '', page: state.page + 1 },
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
