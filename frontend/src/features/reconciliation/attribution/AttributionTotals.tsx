import { StatCard } from '../../../components/StatCard';
import { formatCount, formatPercent } from '../../../lib/format';
import { other, showShort } from './amounts';
import { ATTRIBUTION_CATEGORIES, type AttributionLine, type AttributionMeasure, exactAmount } from './attribution';

export function AttributionTotals({ totals, measure }: { totals: AttributionLine; measure: AttributionMeasure }) {
  const unit = measure === 'tokens' ? 'tokens' : 'cost';
  return (
    <dl className="stats" aria-label="Attribution totals">
      <StatCard
        testId="attr-coverage"
        label="Coverage"
        value={totals.coveragePercent === null || totals.coveragePercent === undefined ? '—' : formatPercent(totals.coveragePercent, 2)}
        exact={totals.coveragePercent == null ? '' : String(totals.coveragePercent)}
        detail={<span className="muted">of provider tokens reported by apps</span>}
      />
      <StatCard
        testId="attr-provider"
        label={`Provider ${unit}`}
        value={showShort(totals.provider, measure)}
        exact={exactAmount(totals.provider, measure)}
        detail={<span className="muted">{other(totals.provider, measure)}</span>}
      />
      {ATTRIBUTION_CATEGORIES.map((c) => (
        <StatCard
          key={c.key}
          testId={`attr-${c.key}`}
          label={c.label}
          value={showShort(totals[c.key], measure)}
          exact={exactAmount(totals[c.key], measure)}
          detail={<span className="muted">{other(totals[c.key], measure)}</span>}
        />
      ))}
      <StatCard
        testId="attr-mismatched"
        label="Mismatched keys"
        value={formatCount(totals.mismatchedKeys)}
        exact={String(totals.mismatchedKeys)}
        detail={<span className="muted">grain keys both sides report differently</span>}
      />
    </dl>
  );
}
