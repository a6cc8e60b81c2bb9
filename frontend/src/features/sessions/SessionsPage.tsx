import { useQuery } from 'urql';
import { CursorPager } from '../../components/CursorPager';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { useCursorTrail } from '../../hooks/useCursorPages';
import { useSearchState } from '../../hooks/useSearchState';
import { parseSessionList, sessionListToParams } from '../../lib/filters';
import { SessionsQuery } from './queries';
import { SessionFilters } from './SessionFilters';
import { SessionTable } from './SessionTable';

const PAGE_SIZE = 25;

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
