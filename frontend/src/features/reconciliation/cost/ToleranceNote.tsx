import { useQuery } from 'urql';
import { ReconciliationToleranceQuery } from './queries';
import { formatUsd } from '../../../lib/format';

/** The tolerance rows are judged by, as the server applies it. */
export function ToleranceNote() {
  const [{ data }] = useQuery({ query: ReconciliationToleranceQuery });
  const tolerance = data?.reconciliationTolerance;
  return (
    <p className="muted">
      What the providers billed (their costs API) against what CogniTrack computed from usage and the price book, per UTC
      day and project.
      {tolerance && (
        <>
          {' '}
          A row is within tolerance when the two differ by at most {formatUsd(tolerance.absoluteUsd)} or{' '}
          {tolerance.percent}&nbsp;% of the bill.
        </>
      )}
    </p>
  );
}
