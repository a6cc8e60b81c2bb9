import { parityFieldLabel, toleranceLabel } from './parity';
import type { Report } from './report';
import { formatDateTime } from '../../../lib/format';

/** Where a report came from and how it compared. */
export function ReportAbout({ report }: { report: Report }) {
  return (
    <section className="panel" aria-labelledby="parity-meta-title">
      <h2 id="parity-meta-title">About this report</h2>
      <dl className="meta-list">
        <dt>Connection</dt>
        <dd>{report.connection || <span className="muted">—</span>}</dd>
        <dt>Made</dt>
        <dd>
          {formatDateTime(report.createdAt)} by <code>{report.source}</code>
        </dd>
        <dt>Tolerance</dt>
        <dd>{toleranceLabel(report.kind, report.tolerance, report.tolerancePct)}</dd>
        <dt>Fields compared</dt>
        <dd>{report.fields.map(parityFieldLabel).join(', ') || <span className="muted">none</span>}</dd>
        <dt>File hash</dt>
        <dd>
          <code className="break">{report.contentHash}</code>
        </dd>
      </dl>
    </section>
  );
}
