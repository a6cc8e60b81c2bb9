import { useQuery } from 'urql';
import { useIdentity } from '../../../auth/AuthContext';
import { CursorPager } from '../../../components/CursorPager';
import { QueryView } from '../../../components/Status';
import { useCursorPaging } from '../../../hooks/useCursorPages';
import { ParityReportTable } from './ParityReportTable';
import { ParityReportsQuery } from './queries';
import { UploadForm } from './UploadForm';

const PAGE_SIZE = 20;

/** CSV parity: the stored reports, and (admin) an upload to make one. */
export function ParityView() {
  const { role } = useIdentity();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: ParityReportsQuery, variables: { first: PAGE_SIZE, after: paging.after } });
  return (
    <>
      {role === 'admin' && (
        <UploadForm
          onUploaded={() => {
            paging.reset();
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
      <section className="panel" aria-labelledby="parity-title">
        <h2 id="parity-title">CSV parity reports</h2>
        <p className="muted small">
          Stored usage compared with a provider dashboard's CSV export, window by window. Made here, with{' '}
          <code>cognitrack parity --provider openai --csv FILE --start … --end …</code>, or by the watch folder.
        </p>
        <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading reports…">
          {(data) => (
            <>
              <ParityReportTable reports={data.parityReports.nodes} />
              <CursorPager
                label="Parity report pages"
                hasPrevious={paging.hasPrevious}
                hasNext={data.parityReports.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(data.parityReports.pageInfo.endCursor)}
              />
            </>
          )}
        </QueryView>
      </section>
    </>
  );
}
