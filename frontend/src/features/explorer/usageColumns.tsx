import { type ColumnDef, createColumnHelper } from '@tanstack/react-table';
import { NotReported } from '../../components/NotReported';
import type { UsageDimension, UsageRowFieldsFragment } from '../../gql/graphql';
import { DIMENSIONS } from '../../lib/filters';
import { formatCount, formatUsd } from '../../lib/format';
import type { NameIndex } from '../../lib/names';
import { GROUP_FIELD, groupValue, type UsageRow, type UsageTotals } from '../../lib/usage';
import { MEASURES } from './export';

const column = createColumnHelper<UsageRow>();

type CountField = Exclude<(typeof MEASURES)[number]['field'], 'costUsd' | 'pricedCostUsd' | 'costEstimated'>;
const COUNT_MEASURES = MEASURES.filter(
  (m): m is Extract<(typeof MEASURES)[number], { field: CountField }> =>
    m.field !== 'costUsd' && m.field !== 'pricedCostUsd' && m.field !== 'costEstimated',
);

export interface UsageColumnsInput {
  groupBy: readonly UsageDimension[];
  names: NameIndex;
  /** Every row of the view (not one page): decides which columns are all zero and what the totals are. */
  rows: readonly UsageRow[];
  totals: UsageTotals;
  /** False for a row whose usage is all from providers that report no request counts. */
  requestsReported: (row: UsageRow) => boolean;
  /** What a provider restated of the row's day (and provider, when grouped by it), one line each; none when not revised. */
  revised?: (row: UsageRow) => readonly string[];
}

/**
 * A count column is left out when it is 0 in every row (audio tokens for a
 * text-only account): it would only push the columns that matter off screen.
 * A requests column of "n/a" stays, so the reader learns why there is no count.
 */
export function visibleCountFields({ rows, requestsReported }: Pick<UsageColumnsInput, 'rows' | 'requestsReported'>): CountField[] {
  return COUNT_MEASURES.filter((m) =>
    m.field === 'numModelRequests'
      ? rows.some((r) => r.numModelRequests !== 0 || !requestsReported(r))
      : rows.some((r) => r[m.field] !== 0),
  ).map((m) => m.field);
}

/** The sum of a count over the rows that report it; null when none does. */
function reportedTotal(field: CountField, { rows, requestsReported }: UsageColumnsInput): number | null {
  const counted = field === 'numModelRequests' ? rows.filter(requestsReported) : rows;
  return counted.length === 0 ? null : counted.reduce((sum, r) => sum + r[field], 0);
}

function CostCell({ row }: { row: UsageRowFieldsFragment }) {
  return (
    <span title={row.pricedCostUsd}>
      {formatUsd(row.pricedCostUsd)}
      {row.costUsd === null && (
        <abbr className="warning" title="Some usage in this row has no price and is not included">
          {' '}
          +?
        </abbr>
      )}
      {row.costEstimated && <abbr title="Includes an estimated tiered price">*</abbr>}
    </span>
  );
}

/** The day, with a "revised" badge listing what changed when a provider restated it. */
function DayCell({ date, lines }: { date: string; lines: readonly string[] }) {
  if (lines.length === 0) return date;
  const description = [`${date} was revised:`, ...lines].join('\n');
  return (
    <span className="day-cell">
      {date}{' '}
      <span className="tag tag-revised" title={description} data-testid="revised-badge" data-date={date} tabIndex={0}>
        revised
        <span className="visually-hidden">: {lines.join('; ')}</span>
      </span>
    </span>
  );
}

/** The day, a column per grouped dimension (by name), then the measures with a non-zero value; totals in the footer. */
export function usageColumns(input: UsageColumnsInput): ColumnDef<UsageRow, never>[] {
  const { groupBy, names, rows, totals, requestsReported } = input;
  const visible = visibleCountFields(input);
  const partialRequests = rows.some((r) => !requestsReported(r)) && rows.some(requestsReported);
  return [
    column.accessor('date', {
      header: 'Day',
      footer: 'Total',
      cell: ({ row: { original } }) => <DayCell date={original.date} lines={input.revised?.(original) ?? []} />,
    }),
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
        footer: '',
      }),
    ),
    ...COUNT_MEASURES.filter((m) => visible.includes(m.field)).map((m) =>
      m.field === 'numModelRequests'
        ? column.accessor((row) => (requestsReported(row) ? row.numModelRequests : -1), {
            id: m.field,
            header: m.label,
            cell: ({ row: { original } }) =>
              requestsReported(original) ? formatCount(original.numModelRequests) : <NotReported />,
            footer: () => {
              const total = reportedTotal(m.field, input);
              if (total === null) return <NotReported />;
              return partialRequests ? (
                <span title="Rows from providers that do not report request counts are not included">
                  {formatCount(total)}*
                </span>
              ) : (
                formatCount(total)
              );
            },
            meta: { numeric: true },
          })
        : column.accessor(m.field, {
            header: m.label,
            cell: ({ getValue }) => formatCount(Number(getValue())),
            footer: () => formatCount(reportedTotal(m.field, input) ?? 0),
            meta: { numeric: true },
          }),
    ),
    column.accessor((row) => Number(row.pricedCostUsd), {
      id: 'pricedCostUsd',
      header: 'Cost',
      // Sorted by value, shown from the exact string.
      cell: ({ row: { original } }) => <CostCell row={original} />,
      footer: () => <span title={totals.pricedCostUsd.toFixed()}>{formatUsd(totals.pricedCostUsd)}</span>,
      meta: { numeric: true },
    }),
  ] as ColumnDef<UsageRow, never>[];
}
