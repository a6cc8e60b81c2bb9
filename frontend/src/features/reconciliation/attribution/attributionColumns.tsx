import { type CellContext, createColumnHelper } from '@tanstack/react-table';
import { Identity } from '../../../components/Identity';
import { formatCount, formatPercent } from '../../../lib/format';
import { type NameIndex, nameOf } from '../../../lib/names';
import { NOT_REPORTED } from '../../../lib/usage';
import { reconciliationProject } from '../reconciliation';
import { show } from './amounts';
import { type AttributionGroupRow, type AttributionMeasure, exactAmount } from './attribution';

const column = createColumnHelper<AttributionGroupRow>();

/** A row per provider and project (and key): names with their ids, then the amounts in the measure shown. */
export function attributionColumns(names: NameIndex, measure: AttributionMeasure, byKey: boolean) {
  const amount = (key: 'provider' | 'app' | 'matched' | 'providerOnly' | 'appOnly', header: string) =>
    column.accessor((r) => (measure === 'tokens' ? r[key].tokens : r[key].costUsd.toNumber()), {
      id: key,
      header,
      cell: ({ row: { original } }: CellContext<AttributionGroupRow, number>) => (
        <span title={exactAmount(original[key], measure)}>{show(original[key], measure)}</span>
      ),
      meta: { numeric: true },
    });
  return [
    column.accessor((r) => r.group.provider, { id: 'provider-name', header: 'Provider' }),
    column.accessor((r) => reconciliationProject(r.group, names), {
      id: 'project',
      header: 'Project',
      cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original.group.projectId} />,
    }),
    ...(byKey
      ? [
          column.accessor((r) => nameOf(names, 'API_KEY', r.group.apiKeyId) ?? (r.group.apiKeyId || NOT_REPORTED), {
            id: 'apiKey',
            header: 'API key',
            cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original.group.apiKeyId ?? ''} />,
          }),
        ]
      : []),
    amount('provider', 'Provider'),
    amount('app', 'Apps'),
    amount('matched', 'Matched'),
    amount('providerOnly', 'Provider only'),
    amount('appOnly', 'App only'),
    column.accessor((r) => r.coveragePercent ?? -1, {
      id: 'coverage',
      header: 'Coverage',
      cell: ({ row: { original } }) =>
        original.coveragePercent === null ? (
          <span className="muted" title="No provider usage">
            —
          </span>
        ) : (
          formatPercent(original.coveragePercent, 2)
        ),
      meta: { numeric: true },
    }),
    column.accessor('mismatchedKeys', {
      header: 'Mismatched keys',
      cell: ({ getValue }) => (getValue() > 0 ? <span className="warning">{formatCount(getValue())}</span> : '0'),
      meta: { numeric: true },
    }),
  ];
}
