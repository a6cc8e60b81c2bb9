import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { CursorPager } from '../../components/CursorPager';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { useCursorPaging } from '../../hooks/useCursorPages';
import { CostBreakdownPanel } from './CostBreakdownPanel';
import { InteractionTable } from './InteractionTable';
import { SessionQuery } from './queries';
import { costBreakdown } from './session';
import { SessionSummary } from './SessionSummary';

/** The API's largest page: nearly every session fits on one. */
const PAGE_SIZE = 500;

export function SessionDetailPage() {
  const { id = '' } = useParams();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: SessionQuery, variables: { id, first: PAGE_SIZE, after: paging.after } });

  return (
    <>
      <PageHeader title="Session">
        <Link to="/sessions">← All sessions</Link>
      </PageHeader>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading session…">
        {({ session }) => (
          <>
            <SessionSummary session={session} />
            <CostBreakdownPanel
              breakdown={costBreakdown(session.interactions.nodes)}
              partial={session.interactions.nodes.length < session.interactionCount}
            />
            <section className="panel" aria-labelledby="interactions-title">
              <h2 id="interactions-title">Interactions</h2>
              <InteractionTable interactions={session.interactions.nodes} />
              <CursorPager
                label="Interaction pages"
                hasPrevious={paging.hasPrevious}
                hasNext={session.interactions.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(session.interactions.pageInfo.endCursor)}
              />
            </section>
            {session.metadata != null && (
              <details className="panel">
                <summary>Metadata</summary>
                <pre className="json">{JSON.stringify(session.metadata, null, 2)}</pre>
              </details>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}
