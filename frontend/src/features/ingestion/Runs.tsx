import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { IngestionRunFieldsFragment } from '../../gql/graphql';
import { runColumns } from './runColumns';

export function Runs({ runs }: { runs: IngestionRunFieldsFragment[] }) {
  const table = useDataTable({ data: runs, columns: runColumns });
  if (runs.length === 0) return <Empty>No ingestion has run yet.</Empty>;
  return <DataTable table={table} caption="Ingestion runs, newest first" />;
}
