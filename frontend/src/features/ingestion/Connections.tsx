import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { ConnectionFieldsFragment } from '../../gql/graphql';
import { ConnectionActions } from './ConnectionActions';
import { connectionColumn, connectionColumns, hourlyColumn } from './connectionColumns';

interface ConnectionsProps {
  connections: ConnectionFieldsFragment[];
  admin: boolean;
  onChanged: () => void;
}

export function Connections({ connections, admin, onChanged }: ConnectionsProps) {
  const columns = useMemo(
    () =>
      admin
        ? [
            ...connectionColumns,
            hourlyColumn(true),
            connectionColumn.display({
              id: 'actions',
              header: 'Actions',
              cell: ({ row: { original } }) => <ConnectionActions connection={original} onRemoved={onChanged} />,
            }),
          ]
        : [...connectionColumns, hourlyColumn(false)],
    [admin, onChanged],
  );
  const table = useDataTable({ data: connections, columns });
  if (connections.length === 0) {
    return (
      <Empty>
        No provider connections. {admin ? 'Add one below, or set' : 'An admin can add one, or set'} OPENAI_ADMIN_KEY or
        ANTHROPIC_ADMIN_KEY and restart the server.
      </Empty>
    );
  }
  return <DataTable table={table} caption="Provider connections and their freshness" />;
}
