import type { CombinedError } from 'urql';
import { errorMessage } from '../api/client';

/**
 * A local-day question the server refused (BAD_USER_INPUT: a day of the
 * range has no hourly buckets that agree with its daily ones): its message,
 * what to do, and the way back to UTC days. No figures are shown with it.
 */
export function TimeZoneError({ error, zone, onUseUtc }: { error: CombinedError; zone: string; onUseUtc: () => void }) {
  return (
    <div className="status status-error" role="alert" data-testid="timezone-error">
      <p>
        <strong>Local days in {zone} cannot be counted for this range.</strong>
      </p>
      <p data-testid="timezone-error-message">{errorMessage(error)}</p>
      <p className="small">
        Local days are summed from hourly buckets, which must add up to every day's daily usage. Pick a range the hourly
        data covers, or count UTC days.
      </p>
      <button type="button" className="button" onClick={onUseUtc}>
        Show UTC days
      </button>
    </div>
  );
}

/** The server refused the question itself (not a network or sign-in failure). */
export function isRefusedQuestion(error: CombinedError | undefined): error is CombinedError {
  return error !== undefined && !error.networkError && error.graphQLErrors.some((e) => e.extensions.code === 'BAD_USER_INPUT');
}
