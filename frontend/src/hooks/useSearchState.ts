import { useCallback, useMemo } from 'react';
import { type NavigateOptions, useSearchParams } from 'react-router';

/**
 * Page state that lives in the URL: each change is a history entry, so links
 * are shareable and the back button undoes a filter change. Updates are
 * synchronous: controls read their value from the URL, and a transition
 * would show a ticked box unticked until the navigation commits.
 */
export function useSearchState<T>(
  parse: (params: URLSearchParams) => T,
  serialize: (state: T) => URLSearchParams,
): [T, (patch: Partial<T>, options?: NavigateOptions) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parse(params), [parse, params]);
  const update = useCallback(
    (patch: Partial<T>, options?: NavigateOptions) =>
      setParams(serialize({ ...state, ...patch }), { flushSync: true, ...options }),
    [serialize, setParams, state],
  );
  return [state, update];
}
