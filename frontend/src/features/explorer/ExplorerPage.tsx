import { useQuery } from 'urql';
import { PageHeader } from '../../components/Layout';
import { QueryView } from '../../components/Status';
import { useSearchState } from '../../hooks/useSearchState';
import { parseUsageFilter, toUsageFilter, usageFilterToParams } from '../../lib/filters';
import { DailyUsageQuery } from '../shared/queries';
import { useInventoryNames } from '../shared/useInventoryNames';
import { FilterBar } from './FilterBar';
import { FilterOptionsQuery } from './queries';
import { UsageView } from './UsageView';

export function ExplorerPage() {
  const [state, update] = useSearchState(parseUsageFilter, usageFilterToParams);
  const names = useInventoryNames();
  const [options] = useQuery({ query: FilterOptionsQuery, variables: { from: state.from, to: state.to } });
  const [usage, refetch] = useQuery({
    query: DailyUsageQuery,
    variables: { filter: toUsageFilter(state), groupBy: state.groupBy },
  });

  return (
    <>
      <PageHeader title="Usage explorer" />
      <FilterBar state={state} options={options.data?.filterOptions} onChange={update} names={names} />
      <QueryView result={usage} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading usage…">
        {(data) => <UsageView rows={data.dailyUsage} state={state} names={names} />}
      </QueryView>
    </>
  );
}
