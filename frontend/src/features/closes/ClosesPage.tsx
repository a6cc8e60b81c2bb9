import { useMemo } from 'react';
import { useQuery } from 'urql';
import { useIdentity } from '../../auth/AuthContext';
import { PageHeader } from '../../components/Layout';
import { Empty, QueryView } from '../../components/Status';
import { useInventoryNames } from '../shared/useInventoryNames';
import { CloseCard } from './CloseCard';
import { ClosePeriodForm } from './ClosePeriodForm';
import { PeriodClosesQuery } from './queries';

/** Every month close, newest period first: frozen totals, status, and the adjustments made after it. */
export function ClosesPage() {
  const { role } = useIdentity();
  const admin = role === 'admin';
  const [result, refetch] = useQuery({ query: PeriodClosesQuery, variables: {} });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const names = useInventoryNames();
  const connections = useMemo(
    () => new Map((result.data?.providerConnections ?? []).map((c) => [c.id, c.name])),
    [result.data],
  );

  return (
    <>
      <PageHeader title="Month-end closes" />
      <p className="muted">
        A closed month keeps its usage as it stood at closing. A provider restating one of its days later does not change
        the close: the restatement is listed under it as an <strong>adjustment</strong>.
      </p>
      {admin && <ClosePeriodForm onClosed={reload} />}
      <QueryView result={result} onRetry={reload} loadingLabel="Loading closes…">
        {(data) =>
          data.periodCloses.length === 0 ? (
            <Empty>No month has been closed yet.{admin && ' Close one above.'}</Empty>
          ) : (
            <ul className="close-list">
              {data.periodCloses.map((close) => (
                <CloseCard key={close.id} close={close} admin={admin} onChanged={reload} names={names} connections={connections} />
              ))}
            </ul>
          )
        }
      </QueryView>
    </>
  );
}
