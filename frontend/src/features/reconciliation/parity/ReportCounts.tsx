import { StatCard } from '../../../components/StatCard';
import { formatCount } from '../../../lib/format';
import type { CountKey, Report } from './report';

export function ReportCounts({ report }: { report: Report }) {
  const stat = (key: CountKey, label: string, detail?: string) => (
    <StatCard
      testId={`parity-${key}`}
      label={label}
      value={formatCount(report[key])}
      exact={String(report[key])}
      detail={detail && <span className="muted">{detail}</span>}
    />
  );
  return (
    <dl className="stats" aria-label="Parity report counts">
      {stat('csvRows', 'CSV rows', `${formatCount(report.csvWindows)} windows in the export`)}
      {stat('matchedWindows', 'Matched windows', `of ${formatCount(report.storedWindows)} stored`)}
      {stat('missingWindows', 'Missing', 'in the export, not stored')}
      {stat('extraWindows', 'Extra', 'stored, not in the export')}
      {stat('mismatchedWindows', 'Mismatched', 'in both, outside tolerance')}
    </dl>
  );
}
