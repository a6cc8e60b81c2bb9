import { useMemo } from 'react';
import { useIdentity } from '../../auth/AuthContext';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { UsageFilterState } from '../../lib/filters';
import type { NameIndex } from '../../lib/names';
import { describeDays } from '../../lib/timezones';
import { type UsageRow, usageTotals } from '../../lib/usage';
import { bucketsExportUrl, download, exportColumns, exportFileName, toCsv, toJson, toRecords } from './export';
import { usageColumns } from './usageColumns';

interface UsageRowsProps {
  rows: UsageRow[];
  state: UsageFilterState;
  names: NameIndex;
  requestsReported: (row: UsageRow) => boolean;
  revised?: (row: UsageRow) => readonly string[];
}

/** The rows as a sortable table, and exports of exactly what it holds. */
export function UsageRows({ rows, state, names, requestsReported, revised }: UsageRowsProps) {
  const columns = useMemo(
    () => usageColumns({ groupBy: state.groupBy, names, rows, totals: usageTotals(rows), requestsReported, revised }),
    [state.groupBy, names, rows, requestsReported, revised],
  );
  const table = useDataTable({ data: rows, columns, pageSize: 50 });
  const identity = useIdentity();

  function exportView(format: 'csv' | 'json') {
    // The rows in the order the table is sorted, every page.
    const records = toRecords(
      table.getSortedRowModel().rows.map((r) => r.original),
      state.groupBy,
      names,
    );
    if (format === 'csv') download(exportFileName(state, 'csv'), 'text/csv', toCsv(records, exportColumns(state.groupBy)));
    else download(exportFileName(state, 'json'), 'application/json', toJson(state, records));
  }

  async function exportBuckets() {
    const response = await fetch(bucketsExportUrl(state, 'csv'), { headers: { authorization: `Bearer ${identity.token}` } });
    if (!response.ok) {
      window.alert(`The export failed: ${await response.text()}`);
      return;
    }
    download(exportFileName(state, 'csv', 'buckets'), 'text/csv', await response.text());
  }

  return (
    <section className="panel" aria-labelledby="explorer-table-title">
      <div className="panel-header">
        <h2 id="explorer-table-title">Rows</h2>
        <div className="actions">
          <button type="button" className="button" onClick={() => exportView('csv')}>
            Export CSV
          </button>
          <button type="button" className="button" onClick={() => exportView('json')}>
            Export JSON
          </button>
          <button type="button" className="button" onClick={() => void exportBuckets()}>
            Raw buckets (CSV)
          </button>
        </div>
      </div>
      {rows.length === 0 ? (
        <Empty>No rows.</Empty>
      ) : (
        <DataTable table={table} caption={`Daily usage rows for the current filter (${describeDays(state.timezone)})`} />
      )}
    </section>
  );
}
