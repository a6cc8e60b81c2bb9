import { formatParityDifference, formatParityValue } from './parity';
import type { FieldDiff } from './report';

/** One compared field: the export's figure, the stored one and the difference. */
export function Diff({ diff }: { diff: FieldDiff | undefined }) {
  if (!diff) return <span className="muted">—</span>;
  return (
    <span
      className={diff.withinTolerance ? undefined : 'warning'}
      title={`CSV ${diff.csv}, stored ${diff.stored}, difference ${diff.difference}`}
      data-difference={diff.difference}
    >
      {formatParityValue(diff.field, diff.stored)}
      <span className="muted small"> vs {formatParityValue(diff.field, diff.csv)}</span>
      {diff.difference !== '0' && !/^0(\.0+)?$/.test(diff.difference) && (
        <span className="small"> ({formatParityDifference(diff.field, diff.difference)})</span>
      )}
    </span>
  );
}
