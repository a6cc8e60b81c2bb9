import { useMemo } from 'react';
import { type CombinedError, useQuery } from 'urql';
import type { Provider } from '../../gql/graphql';
import { UsageRevisionsQuery } from '../shared/queries';
import { type ConnectionNames, type Revision, revisionsByDay } from './revisions';

export interface Revisions {
  /** Revised days of the range → their revisions; empty while loading or on error. */
  byDay: ReadonlyMap<string, Revision[]>;
  names: ConnectionNames;
  /** The query's state, for a view that shows loading and errors. */
  fetching: boolean;
  error: CombinedError | undefined;
  refetch: () => void;
}

/** The restatements of `from`..`to` (optionally of some providers) for the usage views. */
export function useRevisions(from: string, to: string, providers: readonly Provider[] = []): Revisions {
  const [result, refetch] = useQuery({
    query: UsageRevisionsQuery,
    variables: { from, to, providers: providers.length > 0 ? [...providers] : null },
  });
  const data = result.data;
  const byDay = useMemo(() => revisionsByDay(data?.usageRevisions ?? []), [data]);
  const names = useMemo(() => new Map((data?.providerConnections ?? []).map((c) => [c.id, c.name])), [data]);
  return {
    byDay,
    names,
    fetching: result.fetching,
    error: result.error,
    refetch: () => refetch({ requestPolicy: 'network-only' }),
  };
}
