import { useMutation } from 'urql';
import { ErrorNotice } from '../../components/Status';
import { EvaluateBudgetsMutation } from './queries';

export function EvaluateButton({ onDone }: { onDone: () => void }) {
  const [state, run] = useMutation(EvaluateBudgetsMutation);
  async function click() {
    const result = await run({});
    if (!result.error) onDone();
  }
  const done = state.data?.evaluateBudgets;
  return (
    <div className="sync">
      <button type="button" className="button button-primary" onClick={click} disabled={state.fetching}>
        {state.fetching ? 'Evaluating…' : 'Evaluate now'}
      </button>
      <span role="status" className="small">
        {done &&
          `${done.budgetsEvaluated} evaluated, ${done.alertsRaised} alerts raised, ${done.alertsDelivered} delivered, ${done.alertsPending} pending.`}
      </span>
      {state.error && <ErrorNotice error={state.error} />}
    </div>
  );
}
