import { useMutation } from 'urql';
import { ConfirmDestructive } from '../../components/ConfirmDestructive';
import { ErrorNotice } from '../../components/Status';
import type { BudgetFieldsFragment } from '../../gql/graphql';
import type { NameIndex } from '../../lib/names';
import { BudgetMeter } from './BudgetMeter';
import { DeleteBudgetMutation, UpdateBudgetMutation } from './queries';
import { periodName, scopeLabel } from './scope';
import { formatDay, formatPercent, formatRange, formatUsd } from '../../lib/format';

interface BudgetCardProps {
  budget: BudgetFieldsFragment;
  admin: boolean;
  onChanged: () => void;
  names: NameIndex;
}

export function BudgetCard({ budget, admin, onChanged, names }: BudgetCardProps) {
  const [update, runUpdate] = useMutation(UpdateBudgetMutation);
  const [remove, runRemove] = useMutation(DeleteBudgetMutation);
  const { current } = budget;
  const error = update.error ?? remove.error;
  const percent = Number(current.percentUsed);
  const forecastPercent = Number(current.forecastPercentUsed);
  const level = percent >= 100 ? 'over' : forecastPercent >= 100 ? 'at-risk' : 'ok';

  async function toggle() {
    const result = await runUpdate({ id: budget.id, input: { enabled: !budget.enabled } });
    if (!result.error) onChanged();
  }
  async function destroy() {
    const result = await runRemove({ id: budget.id });
    if (!result.error) onChanged();
  }

  return (
    <li className={`budget budget-${level}`} aria-label={budget.name}>
      <div className="panel-header">
        <div>
          <h3>{budget.name}</h3>
          <p className="muted small">
            {scopeLabel(budget, names)} · {periodName(budget.period)} · {formatRange(current.periodStart, current.periodEnd)}
            {!budget.enabled && ' · disabled'}
          </p>
        </div>
        {admin && (
          <div className="actions">
            <button type="button" className="button" onClick={toggle} disabled={update.fetching}>
              {budget.enabled ? 'Disable' : 'Enable'}
            </button>
            <ConfirmDestructive
              label="Delete"
              accessibleName={`Delete budget ${budget.name}`}
              title={`Delete the budget “${budget.name}”?`}
              disabled={remove.fetching}
              onConfirm={() => void destroy()}
            >
              <p>It is no longer evaluated and raises no more alerts. Its past alerts stay in the history.</p>
            </ConfirmDestructive>
          </div>
        )}
      </div>
      <p className="budget-figures">
        <strong title={current.spendUsd}>{formatUsd(current.spendUsd)}</strong> of {formatUsd(budget.amountUsd)} (
        {formatPercent(current.percentUsed)}) · forecast {formatUsd(current.forecastUsd)} (
        {formatPercent(current.forecastPercentUsed)})
      </p>
      <BudgetMeter name={budget.name} percentUsed={current.percentUsed} />
      <p className="muted small">
        Alerts at {budget.thresholds.join('%, ')}%
        {current.thresholdsCrossed.length > 0 && ` · crossed ${current.thresholdsCrossed.join('%, ')}%`} · counted
        through {formatDay(current.asOf)}
        {current.unpricedBuckets > 0 && (
          <span className="warning"> · {current.unpricedBuckets} unpriced buckets: spend is understated</span>
        )}
      </p>
      {error && <ErrorNotice error={error} />}
    </li>
  );
}
