import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import { useInventoryNames } from '../shared/useInventoryNames';
import { interactionColumns } from './interactionColumns';
import type { InteractionRow } from './session';

export function InteractionTable({ interactions }: { interactions: InteractionRow[] }) {
  const names = useInventoryNames();
  const columns = useMemo(() => interactionColumns(names), [names]);
  const table = useDataTable({ data: interactions, columns });
  if (interactions.length === 0) return <Empty>This session has no interactions yet.</Empty>;
  return <DataTable table={table} caption="Interactions in the order they happened" />;
}
