import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import { formatCount } from '../../../lib/format';
import type { windowColumns } from './parityColumns';
import type { Window } from './report';

interface FindingsProps {
  title: string;
  hint: string;
  windows: Window[];
  columns: ReturnType<typeof windowColumns>;
}

/** One kind of finding (mismatched, missing or extra windows) as a table. */
export function Findings({ title, hint, windows, columns }: FindingsProps) {
  const table = useDataTable({ data: windows, columns, pageSize: 50 });
  const headingId = `parity-${title.split(' ')[0]?.toLowerCase()}-title`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span className="muted">({formatCount(windows.length)})</span>
      </h2>
      <p className="muted small">{hint}</p>
      {windows.length === 0 ? <Empty>None.</Empty> : <DataTable table={table} caption={title} />}
    </section>
  );
}
