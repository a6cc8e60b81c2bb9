import { useMemo } from 'react';
import { useQuery } from 'urql';
import { PageHeader } from '../../components/Layout';
import { ErrorNotice, QueryView } from '../../components/Status';
import { isRefusedQuestion, TimeZoneError } from '../../components/TimeZoneError';
import { useSearchState } from '../../hooks/useSearchState';
import type { UsageDimension } from '../../gql/graphql';
import { parseUsageFilter, toUsageFilter, usageFilterToParams } from '../../lib/filters';
import { requestsReportedByRow } from '../../lib/requests';
import { isUtc, timezoneArg, UTC } from '../../lib/timezones';
import { DailyUsageQuery } from '../shared/queries';
import { useInventoryNames } from '../shared/useInventoryNames';
import { useHourlyData } from '../shared/useHourlyData';
import { useRevisions } from '../revisions/useRevisions';
import { FilterBar } from './FilterBar';
import { FilterOptionsQuery } from './queries';
import { UsageView } from './UsageView';

export function ExplorerPage() {
  const [state, update] = useSearchState(parseUsageFilter, usageFilterToParams);
  const names = useInventoryNames();
  const [options] = useQuery({ query: FilterOptionsQuery, variables: { from: state.from, to: state.to } });
  const hourlyData = useHourlyData();
  // Every row of the page is a day of the chosen zone (null: UTC days).
  const timezone = timezoneArg(state.timezone);
  const [usage, refetch] = useQuery({
    query: DailyUsageQuery,
    variables: { filter: toUsageFilter(state), groupBy: state.groupBy, timezone },
  });
  // The same rows split by provider, to tell which rows' request counts exist (see lib/requests).
  const byProviderGroups: UsageDimension[] = state.groupBy.includes('PROVIDER') ? state.groupBy : [...state.groupBy, 'PROVIDER'];
  const [byProvider] = useQuery({
    query: DailyUsageQuery,
    variables: { filter: toUsageFilter(state), groupBy: byProviderGroups, timezone },
  });
  const revisions = useRevisions(state.from, state.to, state.providers);
  const requestsReported = useMemo(
    () => requestsReportedByRow(byProvider.data?.dailyUsage ?? [], state.groupBy),
    [byProvider.data, state.groupBy],
  );

  return (
    <>
      <PageHeader title="Usage explorer" />
      <FilterBar
        state={state}
        options={options.data?.filterOptions}
        onChange={update}
        names={names}
        hourlyData={hourlyData}
      />
      {revisions.error && <ErrorNotice error={revisions.error} onRetry={revisions.refetch} />}
      {!isUtc(state.timezone) && isRefusedQuestion(usage.error) ? (
        <TimeZoneError error={usage.error} zone={state.timezone} onUseUtc={() => update({ timezone: UTC })} />
      ) : (
        <QueryView result={usage} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading usage…">
          {(data) => (
            <UsageView rows={data.dailyUsage} state={state} names={names} requestsReported={requestsReported} revisions={revisions} />
          )}
        </QueryView>
      )}
    </>
  );
}
