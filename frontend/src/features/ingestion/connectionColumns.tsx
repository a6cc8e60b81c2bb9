import { createColumnHelper } from '@tanstack/react-table';
import type { ConnectionFieldsFragment } from '../../gql/graphql';
import { keySourceLabel } from './labels';
import { formatDay } from '../../lib/format';
import { HourlyToggle } from './HourlyToggle';

export const connectionColumn = createColumnHelper<ConnectionFieldsFragment>();

export const connectionColumns = [
  connectionColumn.accessor('name', { header: 'Connection' }),
  connectionColumn.accessor('provider', { header: 'Provider' }),
  connectionColumn.accessor('keySource', {
    header: 'Key from',
    cell: ({ getValue }) => keySourceLabel(getValue()),
  }),
  connectionColumn.accessor((c) => c.baseUrl ?? '', {
    id: 'baseUrl',
    header: 'Base URL',
    cell: ({ getValue }) => (getValue() ? <code className="break">{getValue()}</code> : <span className="muted">default</span>),
  }),
  connectionColumn.accessor((c) => c.completeThrough ?? '', {
    id: 'completeThrough',
    header: 'Complete through',
    cell: ({ getValue }) => (getValue() ? formatDay(getValue()) : <span className="warning">never ingested</span>),
  }),
  connectionColumn.accessor('keyFingerprint', { header: 'Key', cell: ({ getValue }) => <code>{getValue()}</code> }),
];

/** Whether hourly buckets are ingested too (local-time days); an admin can switch it. */
export function hourlyColumn(admin: boolean) {
  return connectionColumn.accessor('hourlyBuckets', {
    header: 'Hourly buckets',
    cell: ({ row: { original } }) =>
      admin ? (
        <HourlyToggle connection={original} />
      ) : (
        <span data-testid="hourly-buckets" data-value={String(original.hourlyBuckets)}>
          {original.hourlyBuckets ? 'On' : <span className="muted">Off</span>}
        </span>
      ),
  });
}
