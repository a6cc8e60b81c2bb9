import { type ColumnDef, createColumnHelper } from '@tanstack/react-table';
import type { UsageDimension } from '../../gql/graphql';
import { DIMENSIONS } from '../../lib/filters';
import { formatCount } from '../../lib/format';
import { formatUsd } from '../../lib/money';
import type { NameIndex } from '../../lib/names';
import { GROUP_FIELD, groupValue, type UsageRow } from '../../lib/usage';
import { MEASURES } from './export';

const column = createColumnHelper<UsageRow>();

/** The day, a column per grouped dimension (by name), then the measures. */
export function usageColumns(groupBy: readonly UsageDimension[], names: NameIndex): ColumnDef<UsageRow, never>[] {
  return [
    column.accessor('date', { header: 'Day' }),
    ...DIMENSIONS.filter((d) => groupBy.includes(d.value)).map((d) =>
      column.accessor((row) => groupValue(row, d.value, names), {
        id: d.value,
        header: d.label,
        // Sorted and shown by name; the raw id in the tooltip (a batch mode is only its label).
        cell: ({ getValue, row: { original } }) => {
          const id = original.group[GROUP_FIELD[d.value]] ?? '';
          const label = getValue();
          return label === id || d.value === 'BATCH' ? label : <span title={id || undefined}>{label}</span>;
        },
      }),
    ),
    ...MEASURES.filter((m) => m.field !== 'costUsd' && m.field !== 'costEstimated').map((m) =>
      m.field === 'pricedCostUsd'
        ? column.accessor((row) => Number(row.pricedCostUsd), {
            id: m.field,
            header: 'Cost',
            // Sorted by value, shown from the exact string.
            cell: ({ row: { original } }) => (
              <span title={original.pricedCostUsd}>
                {formatUsd(original.pricedCostUsd)}
                {original.costUsd === null && (
                  <abbr className="warning" title="Some usage in this row has no price and is not included">
                    {' '}
                    +?
                  </abbr>
                )}
                {original.costEstimated && <abbr title="Includes an estimated tiered price">*</abbr>}
              </span>
            ),
            meta: { numeric: true },
          })
        : column.accessor(m.field, {
            header: m.label,
            cell: ({ getValue }) => formatCount(Number(getValue())),
            meta: { numeric: true },
          }),
    ),
  ] as ColumnDef<UsageRow, never>[];
}
