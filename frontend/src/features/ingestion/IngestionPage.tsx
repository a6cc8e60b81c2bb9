import { useQuery } from 'urql';
import { useIdentity } from '../../auth/AuthContext';
import { CursorPager } from '../../components/CursorPager';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { useCursorPaging } from '../../hooks/useCursorPages';
import { AddConnectionForm } from './AddConnectionForm';
import { ArchivePanel } from './ArchivePanel';
import { BackfillForm } from './BackfillForm';
import { Connections } from './Connections';
import { IngestionQuery } from './queries';
import { Runs } from './Runs';

const PAGE_SIZE = 20;

export function IngestionPage() {
  const { role } = useIdentity();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: IngestionQuery, variables: { first: PAGE_SIZE, after: paging.after } });
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <>
      <PageHeader title="Ingestion" />
      <QueryView result={result} onRetry={reload} loadingLabel="Loading ingestion runs…">
        {(data) => (
          <>
            <section className="panel" aria-labelledby="connections-title">
              <h2 id="connections-title">Provider connections</h2>
              <Connections connections={data.providerConnections} admin={role === 'admin'} onChanged={reload} />
            </section>
            {role === 'admin' && <AddConnectionForm onAdded={reload} />}
            {role === 'admin' && (
              <BackfillForm
                connections={data.providerConnections}
                onDone={() => {
                  paging.reset();
                  reload();
                }}
              />
            )}
            {role === 'admin' && <ArchivePanel />}
            <section className="panel" aria-labelledby="runs-title">
              <h2 id="runs-title">Runs</h2>
              <Runs runs={data.ingestionRuns.nodes} />
              <CursorPager
                label="Run pages"
                hasPrevious={paging.hasPrevious}
                hasNext={data.ingestionRuns.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(data.ingestionRuns.pageInfo.endCursor)}
              />
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}
