import { useQuery } from 'urql';
import { CursorPager } from '../../../components/CursorPager';
import { QueryView } from '../../../components/Status';
import { useCursorPaging } from '../../../hooks/useCursorPages';
import type { NameIndex } from '../../../lib/names';
import { ReconciliationReportsQuery } from './queries';
import { RecordedReportTable } from './RecordedReportTable';

const PAGE_SIZE = 20;

/** What the daily job recorded. */
export function RecordedReports({ names }: { names: NameIndex }) {
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({
    query: ReconciliationReportsQuery,
    variables: { first: PAGE_SIZE, after: paging.after },
  });
  return (
    <section className="panel" aria-labelledby="recorded-title">
      <h2 id="recorded-title">Recorded reconciliations</h2>
      <p className="muted small">The daily job records one per run; each keeps the rows that were outside tolerance.</p>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading reports…">
        {(data) => (
          <>
            <RecordedReportTable reports={data.reconciliationReports.nodes} names={names} />
            <CursorPager
              label="Recorded reconciliation pages"
              hasPrevious={paging.hasPrevious}
              hasNext={data.reconciliationReports.pageInfo.hasNextPage}
              onPrevious={paging.previous}
              onNext={() => paging.next(data.reconciliationReports.pageInfo.endCursor)}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}
