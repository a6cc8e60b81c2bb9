import { Link } from 'react-router';
import type { ParityReportSummaryFieldsFragment } from '../../../gql/graphql';
import { formatCount } from '../../../lib/format';

/** The report an upload made, in one sentence with a link to it. */
export function UploadedReport({ report }: { report: ParityReportSummaryFieldsFragment }) {
  return (
    <>
      Report <Link to={`/reconciliation/parity/${encodeURIComponent(report.id)}`}>#{report.id}</Link>{' '}
      {report.withinTolerance ? 'is within tolerance' : 'found differences'}: {formatCount(report.matchedWindows)}{' '}
      matched, {formatCount(report.missingWindows)} missing, {formatCount(report.extraWindows)} extra,{' '}
      {formatCount(report.mismatchedWindows)} mismatched windows.
    </>
  );
}
