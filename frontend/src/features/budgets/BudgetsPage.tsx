import { useQuery } from 'urql';
import { useIdentity } from '../../auth/AuthContext';
import { CursorPager } from '../../components/CursorPager';
import { PageHeader } from '../../components/Layout';
import { Empty, QueryView } from '../../components/Status';
import { useCursorPaging } from '../../hooks/useCursorPages';
import { useInventoryNames } from '../shared/useInventoryNames';
import { Alerts } from './Alerts';
import { BudgetCard } from './BudgetCard';
import { BudgetForm } from './BudgetForm';
import { EvaluateButton } from './EvaluateButton';
import { BudgetsQuery } from './queries';
import { Webhooks } from './Webhooks';

/** Budgets are few; more than this is shown as a note rather than paged. */
const MAX_BUDGETS = 200;

export function BudgetsPage() {
  const { role } = useIdentity();
  const alertsPaging = useCursorPaging();
  const [result, refetch] = useQuery({
    query: BudgetsQuery,
    variables: { first: MAX_BUDGETS, alertsAfter: alertsPaging.after },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const names = useInventoryNames();

  return (
    <>
      <PageHeader title="Budgets & alerts">{role === 'admin' && <EvaluateButton onDone={reload} />}</PageHeader>
      <QueryView result={result} onRetry={reload} loadingLabel="Loading budgets…">
        {(data) => (
          <>
            <section className="panel" aria-labelledby="budgets-title">
              <h2 id="budgets-title">Budgets</h2>
              {data.budgets.nodes.length === 0 ? (
                <Empty>No budgets yet.{role === 'admin' && ' Create one below.'}</Empty>
              ) : (
                <ul className="budget-list">
                  {data.budgets.nodes.map((budget) => (
                    <BudgetCard key={budget.id} budget={budget} admin={role === 'admin'} onChanged={reload} names={names} />
                  ))}
                </ul>
              )}
              {data.budgets.pageInfo.hasNextPage && <p className="muted">Showing the first {MAX_BUDGETS} budgets.</p>}
            </section>
            {role === 'admin' && <BudgetForm onCreated={reload} />}
            {role === 'admin' && <Webhooks />}
            <section className="panel" aria-labelledby="alerts-title">
              <h2 id="alerts-title">Alert history</h2>
              <Alerts alerts={data.alerts.nodes} />
              <CursorPager
                label="Alert pages"
                hasPrevious={alertsPaging.hasPrevious}
                hasNext={data.alerts.pageInfo.hasNextPage}
                onPrevious={alertsPaging.previous}
                onNext={() => alertsPaging.next(data.alerts.pageInfo.endCursor)}
              />
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}
