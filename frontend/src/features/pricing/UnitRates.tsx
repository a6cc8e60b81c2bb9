import { useMemo } from 'react';
import { useQuery } from 'urql';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty, QueryView } from '../../components/Status';
import { UnitRatesQuery } from './queries';
import { unitRateColumns } from './unitRateColumns';
import { UnitRatesForm } from './UnitRatesForm';

/** Rates of the non-token costs of an interaction (database, API calls, compute); admin sets new ones. */
export function UnitRates({ admin }: { admin: boolean }) {
  const [result, refetch] = useQuery({ query: UnitRatesQuery });
  const rates = result.data?.unitRates;
  const table = useDataTable({ data: useMemo(() => rates ?? [], [rates]), columns: unitRateColumns });
  return (
    <section className="panel" aria-labelledby="unit-rates-title">
      <h2 id="unit-rates-title">Unit rates</h2>
      <p className="muted">
        What an interaction's database operations, external API calls and compute time cost. Each version applies from
        its day on; interactions already stored keep their cost.
      </p>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading unit rates…">
        {(data) =>
          data.unitRates.length === 0 ? <Empty>No unit rates.</Empty> : <DataTable table={table} caption="Unit rate versions, newest first" />
        }
      </QueryView>
      {admin && result.data && (
        <UnitRatesForm current={result.data.unitRates[0]} onSaved={() => refetch({ requestPolicy: 'network-only' })} />
      )}
    </section>
  );
}
