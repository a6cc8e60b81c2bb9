import { createColumnHelper } from '@tanstack/react-table';
import type Decimal from 'decimal.js';
import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { ModelPriceFieldsFragment } from '../../gql/graphql';
import { IN_USE_DAYS } from './inUse';
import type { ModelKey } from './useModelPrices';
import { formatUnitPrice, formatUsd } from '../../lib/format';

const column = createColumnHelper<ModelPriceFieldsFragment>();
const price = (value: string | null | undefined) => (value == null ? <span className="muted">—</span> : formatUnitPrice(value));

interface PriceTableProps {
  prices: ModelPriceFieldsFragment[];
  caption: string;
  empty: string;
  /** With it, a column of each model's spend over the in-use days. */
  spend?: (key: ModelKey) => Decimal;
}

export function PriceTable({ prices, caption, empty, spend }: PriceTableProps) {
  const columns = useMemo(
    () => [
      column.accessor('provider', { header: 'Provider' }),
      column.accessor('model', { header: 'Model' }),
      column.accessor('source', {
        header: 'Source',
        cell: ({ getValue }) => <span className={`tag tag-${getValue()}`}>{getValue()}</span>,
      }),
      column.accessor((p) => p.effectiveFrom ?? '', { id: 'effectiveFrom', header: 'From' }),
      column.accessor((p) => Number(p.inputMtok), { id: 'input', header: 'Input', cell: (c) => price(c.row.original.inputMtok), meta: { numeric: true } }),
      column.accessor((p) => Number(p.cachedInputMtok ?? -1), {
        id: 'cached',
        header: 'Cached input',
        cell: (c) => price(c.row.original.cachedInputMtok),
        meta: { numeric: true },
      }),
      column.accessor((p) => Number(p.cacheWriteMtok ?? -1), {
        id: 'cacheWrite',
        header: 'Cache write',
        cell: (c) => price(c.row.original.cacheWriteMtok),
        meta: { numeric: true },
      }),
      column.accessor((p) => Number(p.outputMtok), { id: 'output', header: 'Output', cell: (c) => price(c.row.original.outputMtok), meta: { numeric: true } }),
      ...(spend
        ? [
            column.accessor((p) => spend(p).toNumber(), {
              id: 'spend',
              header: `Spend, ${IN_USE_DAYS} days`,
              cell: (c) => formatUsd(spend(c.row.original)),
              meta: { numeric: true },
            }),
          ]
        : []),
    ],
    [spend],
  );
  const table = useDataTable({ data: prices, columns });
  if (prices.length === 0) return <Empty>{empty}</Empty>;
  return <DataTable table={table} caption={caption} />;
}
