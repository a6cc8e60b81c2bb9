import { createColumnHelper } from '@tanstack/react-table';
import type { IngestionRunFieldsFragment } from '../../gql/graphql';
import { formatDateTime } from '../../lib/dates';
import { formatCount, formatDuration } from '../../lib/format';

const run = createColumnHelper<IngestionRunFieldsFragment>();
const count = { cell: ({ getValue }: { getValue: () => number }) => formatCount(getValue()), meta: { numeric: true } };

export const runColumns = [
  run.accessor('startedAt', { header: 'Started', cell: ({ getValue }) => formatDateTime(getValue()) }),
  run.accessor('provider', { header: 'Provider' }),
  run.accessor('label', { header: 'Label' }),
  run.accessor((r) => `${r.rangeStart} → ${r.rangeEnd}`, { id: 'range', header: 'Days' }),
  run.accessor('status', {
    header: 'Status',
    cell: ({ row: { original } }) => (
      <span className={`tag tag-${original.status}`}>
        {original.status}
        {original.dryRun && ' (dry run)'}
      </span>
    ),
  }),
  run.accessor('durationMs', { header: 'Took', cell: ({ getValue }) => formatDuration(getValue()), meta: { numeric: true } }),
  run.accessor('windows', { header: 'Windows', ...count }),
  run.accessor('pages', { header: 'Pages', ...count }),
  run.accessor('rowsInserted', { header: 'Inserted', ...count }),
  run.accessor('rowsUpdated', { header: 'Updated', ...count }),
  run.accessor('rowsDeleted', { header: 'Deleted', ...count }),
  run.accessor('retries', { header: 'Retries', ...count }),
  run.accessor('rateLimited', { header: 'Rate limited', ...count }),
  run.accessor((r) => (Array.isArray(r.issues) ? r.issues.length : 0), {
    id: 'issues',
    header: 'Issues',
    cell: ({ row: { original } }) =>
      Array.isArray(original.issues) && original.issues.length > 0 ? (
        <details>
          <summary>{original.issues.length}</summary>
          <pre className="json">{JSON.stringify(original.issues, null, 2)}</pre>
        </details>
      ) : (
        '0'
      ),
    meta: { numeric: true },
  }),
];
