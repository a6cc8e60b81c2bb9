import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { PageHeader } from '../../../components/Layout';
import { QueryView } from '../../../components/Status';
import { ParityReportQuery } from './queries';
import { ReportDetail } from './ReportDetail';

export function ParityReportPage() {
  const { id = '' } = useParams();
  const [result, refetch] = useQuery({ query: ParityReportQuery, variables: { id } });
  return (
    <>
      <PageHeader title={`Parity report #${id}`}>
        <Link to="/reconciliation?view=parity">← All parity reports</Link>
      </PageHeader>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading report…">
        {(data) => <ReportDetail report={data.parityReport} />}
      </QueryView>
    </>
  );
}
