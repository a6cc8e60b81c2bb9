import { createColumnHelper } from '@tanstack/react-table';
import { formatCount, formatDateTime, formatDuration, formatUsd } from '../../lib/format';
import { type NameIndex, nameOrId } from '../../lib/names';
import { Named } from './Named';
import type { InteractionRow } from './session';

const column = createColumnHelper<InteractionRow>();
const money = (value: string | null) =>
  value === null ? <span className="muted">unpriced</span> : <span title={value}>{formatUsd(value)}</span>;
const count = { cell: ({ getValue }: { getValue: () => number }) => formatCount(getValue()), meta: { numeric: true } };

export const interactionColumns = (names: NameIndex) => [
  column.accessor('occurredAt', { header: 'Time', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('kind', { header: 'Kind' }),
  column.accessor((i) => (i.model ? `${i.provider} · ${i.model}` : ''), { id: 'model', header: 'Model' }),
  column.accessor((i) => nameOrId(names, 'PROJECT', i.projectId), {
    id: 'project',
    header: 'Project · key',
    cell: ({ row: { original } }) => (
      <>
        <Named names={names} dimension="PROJECT" id={original.projectId} />
        {original.apiKeyId !== '' && (
          <div className="muted small">
            <Named names={names} dimension="API_KEY" id={original.apiKeyId} />
          </div>
        )}
      </>
    ),
  }),
  column.accessor('status', { header: 'Status' }),
  column.accessor('inputTokens', { header: 'Input', ...count }),
  column.accessor('outputTokens', { header: 'Output', ...count }),
  column.accessor('dbOps', { header: 'DB ops', ...count }),
  column.accessor('apiCalls', { header: 'API calls', ...count }),
  column.accessor('computeMs', { header: 'Compute', cell: ({ getValue }) => formatDuration(getValue()), meta: { numeric: true } }),
  column.accessor((i) => Number(i.totalUsd ?? -1), {
    id: 'totalUsd',
    header: 'Cost',
    cell: ({ row: { original } }) => money(original.totalUsd),
    meta: { numeric: true },
  }),
];
