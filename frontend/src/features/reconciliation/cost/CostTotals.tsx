import { StatCard } from '../../../components/StatCard';
import { formatCount, formatVarianceUsd, formatUsd, formatSignedPercent } from '../../../lib/format';
import type { ReconciliationTotals } from '../reconciliation';

export function CostTotals({ totals }: { totals: ReconciliationTotals }) {
  return (
    <dl className="stats" aria-label="Reconciliation totals">
      <StatCard testId="recon-billed" label="Billed" value={formatUsd(totals.billedUsd)} exact={totals.billedUsd.toFixed()} />
      <StatCard
        testId="recon-computed"
        label="Computed"
        value={formatUsd(totals.computedUsd)}
        exact={totals.computedUsd.toFixed()}
        detail={
          totals.unpricedBuckets > 0 ? (
            <span className="warning">{formatCount(totals.unpricedBuckets)} unpriced buckets not included</span>
          ) : undefined
        }
      />
      <StatCard
        testId="recon-variance"
        label="Variance (computed − billed)"
        value={formatVarianceUsd(totals.varianceUsd)}
        exact={totals.varianceUsd.toFixed()}
        detail={
          totals.variancePercent === null ? (
            <span className="muted">nothing billed</span>
          ) : (
            <span className="muted">{formatSignedPercent(totals.variancePercent, 2)} of the bill</span>
          )
        }
      />
      <StatCard
        testId="recon-outside"
        label="Rows outside tolerance"
        value={formatCount(totals.outsideTolerance)}
        exact={String(totals.outsideTolerance)}
        detail={<span className="muted">of {formatCount(totals.rows)} day × project rows</span>}
      />
    </dl>
  );
}
