import { useMemo, useState } from 'react';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import type { NameIndex } from '../../../lib/names';
import type { ReconciliationRow } from '../reconciliation';
import { costColumns } from './costColumns';
import { LikelyCauses } from './LikelyCauses';

export function CostTable({ rows, names }: { rows: ReconciliationRow[]; names: NameIndex }) {
  const [onlyOutside, setOnlyOutside] = useState(false);
  const shown = useMemo(() => (onlyOutside ? rows.filter((r) => !r.withinTolerance) : rows), [rows, onlyOutside]);
  const columns = useMemo(() => costColumns(names), [names]);
  const table = useDataTable({ data: shown, columns, pageSize: 50, initialSorting: [{ id: 'date', desc: true }] });

  return (
    <section className="panel" aria-labelledby="recon-table-title">
      <div className="panel-header">
        <h2 id="recon-table-title">Per day and project</h2>
        <label className="check">
          <input type="checkbox" checked={onlyOutside} onChange={(e) => setOnlyOutside(e.target.checked)} />
          <span>Only rows outside tolerance</span>
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty>{onlyOutside ? 'Every row is within tolerance.' : 'No rows in this range.'}</Empty>
      ) : (
        <DataTable table={table} caption="Billed and computed cost per day and project" />
      )}
      <LikelyCauses />
    </section>
  );
}
