import { createColumnHelper } from '@tanstack/react-table';
import type { IngestionRunFieldsFragment } from '../../gql/graphql';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format';
import { issueLabel, runStatusLabel } from './labels';

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
      <span className={`tag tag-${original.status.toLowerCase()}`}>
        {runStatusLabel(original.status)}
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
  run.accessor((r) => r.issues.length, {
    id: 'issues',
    header: 'Issues',
    cell: ({ row: { original } }) =>
      original.issues.length > 0 ? (
        <details>
          <summary>{original.issues.length}</summary>
          <ul className="issue-list">
            {original.issues.map((issue, index) => (
              // Issues have no id; a run's list never changes once shown.
              <li key={index}>
                <span className="tag tag-failed">{issueLabel(issue.code)}</span> {issue.day}
                {issue.usageType && <> · {issue.usageType}</>}: {issue.message}
              </li>
            ))}
          </ul>
        </details>
      ) : (
        '0'
      ),
    meta: { numeric: true },
  }),
];
