import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import type { NameIndex } from '../../../lib/names';
import { type AttributionLine, type AttributionMeasure, attributionByGroup, dailyAttribution } from './attribution';
import { AttributionChart } from './AttributionChart';
import { attributionColumns } from './attributionColumns';
import { AttributionTotals } from './AttributionTotals';

interface AttributionReportProps {
  rows: AttributionLine[];
  totals: AttributionLine;
  names: NameIndex;
  range: { from: string; to: string };
  measure: AttributionMeasure;
  byKey: boolean;
}

export function AttributionReport({ rows, totals, names, range, measure, byKey }: AttributionReportProps) {
  const points = useMemo(() => dailyAttribution(rows, measure), [rows, measure]);
  const groups = useMemo(() => attributionByGroup(rows, byKey), [rows, byKey]);
  const columns = useMemo(() => attributionColumns(names, measure, byKey), [names, measure, byKey]);
  const table = useDataTable({ data: groups, columns, pageSize: 50 });

  return (
    <>
      <AttributionTotals totals={totals} measure={measure} />
      <AttributionChart points={points} totals={totals} range={range} measure={measure} />
      <section className="panel" aria-labelledby="attr-table-title">
        <h2 id="attr-table-title">{byKey ? 'Per project and API key' : 'Per project'}</h2>
        <p className="muted small">
          Interactions match provider usage by provider, day, project, API key, model (the provider's exact id) and
          service tier; an app that reports another project or key than the provider shows as app-only here.
        </p>
        {groups.length === 0 ? (
          <Empty>No usage in this range.</Empty>
        ) : (
          <DataTable table={table} caption={byKey ? 'Attribution per project and API key' : 'Attribution per project'} />
        )}
      </section>
    </>
  );
}
