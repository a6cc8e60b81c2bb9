import type { NameIndex } from '../../../lib/names';
import { dailyBilledVsComputed, type ReconciliationRow, reconciliationTotals } from '../reconciliation';
import { CostChart } from './CostChart';
import { CostTable } from './CostTable';
import { CostTotals } from './CostTotals';

interface CostReconciliationProps {
  rows: ReconciliationRow[];
  names: NameIndex;
  range: { from: string; to: string };
}

export function CostReconciliation({ rows, names, range }: CostReconciliationProps) {
  const totals = reconciliationTotals(rows);
  const points = dailyBilledVsComputed(rows);
  return (
    <>
      <CostTotals totals={totals} />
      <CostChart points={points} totals={totals} range={range} />
      <CostTable rows={rows} names={names} />
    </>
  );
}
