import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { errorMessage } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorNotice({ error, onRetry }: { error: CombinedError | string; onRetry?: () => void }) {
  return (
    <div className="status status-error" role="alert">
      <p>{typeof error === 'string' ? error : errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="status status-empty">{children}</div>;
}

interface QueryViewProps<T> {
  result: { data?: T | undefined; fetching: boolean; error?: CombinedError | undefined };
  onRetry?: () => void;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}

/**
 * The loading and error states every query shares. Data already on screen
 * stays while a refresh runs, so filters do not flash the page empty.
 */
export function QueryView<T>({ result, onRetry, loadingLabel, children }: QueryViewProps<T>) {
  // A refused question answers `data: null`, which urql keeps while the next question runs.
  if (result.data !== undefined && result.data !== null) {
    return (
      <>
        {result.error && <ErrorNotice error={result.error} onRetry={onRetry} />}
        <div className="query-view" aria-busy={result.fetching}>
          {children(result.data)}
        </div>
      </>
    );
  }
  if (result.error) return <ErrorNotice error={result.error} onRetry={onRetry} />;
  return <Loading label={loadingLabel} />;
}
