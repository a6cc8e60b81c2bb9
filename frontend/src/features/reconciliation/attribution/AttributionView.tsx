import { useQuery } from 'urql';
import { QueryView } from '../../../components/Status';
import { useInventoryNames } from '../../shared/useInventoryNames';
import { AttributionReport } from './AttributionReport';
import type { AttributionMeasure } from './attribution';
import { AttributionQuery } from './queries';

interface AttributionViewProps {
  from: string;
  to: string;
  measure: AttributionMeasure;
  byKey: boolean;
}

/** Per day, provider, project and key: the chart sums the groups, the table folds the days. */
const GROUP_BY = ['PROVIDER', 'PROJECT', 'API_KEY'] as const;

export function AttributionView({ from, to, measure, byKey }: AttributionViewProps) {
  const names = useInventoryNames();
  const [result, refetch] = useQuery({ query: AttributionQuery, variables: { from, to, groupBy: [...GROUP_BY] } });
  return (
    <QueryView
      result={result}
      onRetry={() => refetch({ requestPolicy: 'network-only' })}
      loadingLabel="Matching app-reported usage with provider usage…"
    >
      {(data) => (
        <AttributionReport
          rows={data.attribution.rows}
          totals={data.attribution.totals}
          names={names}
          range={{ from, to }}
          measure={measure}
          byKey={byKey}
        />
      )}
    </QueryView>
  );
}
