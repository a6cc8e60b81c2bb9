import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  type SortingState,
  type Table,
  useReactTable,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';

declare module '@tanstack/react-table' {
  // Type parameters must match the library's declaration to merge with it.
  interface ColumnMeta<TData, TValue> {
    /** Right-aligned, tabular figures. */
    numeric?: boolean;
  }
}

interface Options<T> {
  data: T[];
  columns: ColumnDef<T, never>[];
  initialSorting?: SortingState;
  /** Rows per page; without it every row is shown. */
  pageSize?: number;
  /**
   * Sorting done by the server: the table shows this order (headers keep
   * `aria-sort`) and reports header clicks instead of sorting the rows itself.
   */
  serverSorting?: { sorting: SortingState; onChange: (sorting: SortingState) => void };
}

/**
 * A sortable (and optionally paged) table model. The page keeps the instance,
 * so it can export the rows in the order the user sorted them.
 */
export function useDataTable<T>({ data, columns, initialSorting = [], pageSize, serverSorting }: Options<T>): Table<T> {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  // TanStack caches each row's accessor values for as long as the data array
  // is the same; columns whose accessors change (names arriving after the
  // rows) would keep showing the old values. A new array per column set
  // rebuilds the rows.
  const rows = useMemo(() => data.slice(), [data, columns]);
  return useReactTable({
    data: rows,
    columns,
    ...(serverSorting
      ? {
          state: { sorting: serverSorting.sorting },
          manualSorting: true,
          enableSortingRemoval: false,
          sortDescFirst: true,
          onSortingChange: (updater) =>
            serverSorting.onChange(typeof updater === 'function' ? updater(serverSorting.sorting) : updater),
        }
      : { state: { sorting }, onSortingChange: setSorting }),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    ...(pageSize === undefined
      ? {}
      : { getPaginationRowModel: getPaginationRowModel(), initialState: { pagination: { pageSize, pageIndex: 0 } } }),
    autoResetPageIndex: true,
  });
}

const SORT_LABEL = { asc: 'ascending', desc: 'descending' } as const;

export function DataTable<T>({ table, caption }: { table: Table<T>; caption: string }) {
  const rows = table.getRowModel().rows;
  // Without a page size every row is shown: no pager (TanStack would still count pages of 10).
  const pageCount = table.options.getPaginationRowModel ? table.getPageCount() : 1;
  // A column with a footer (a total) adds a totals row; it sums every page, not just this one.
  const hasFooter = table.getAllLeafColumns().some((column) => column.columnDef.footer !== undefined);
  return (
    <div className="table-block">
      <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table className="data-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const numeric = header.column.columnDef.meta?.numeric;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className={numeric ? 'numeric' : undefined}
                      aria-sort={sorted ? SORT_LABEL[sorted] : undefined}
                    >
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort-button" onClick={header.column.getToggleSortingHandler()}>
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                          </span>
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={cell.column.columnDef.meta?.numeric ? 'numeric' : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {hasFooter && (
            <tfoot>
              {table.getFooterGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <td key={header.id} className={header.column.columnDef.meta?.numeric ? 'numeric' : undefined}>
                      {flexRender(header.column.columnDef.footer, header.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tfoot>
          )}
        </table>
      </div>
      {pageCount > 1 && (
        <nav className="pager" aria-label={`${caption} pages`}>
          <button type="button" className="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
            Previous
          </button>
          <span aria-live="polite">
            Page {table.getState().pagination.pageIndex + 1} of {pageCount} ({table.getPrePaginationRowModel().rows.length}{' '}
            rows)
          </span>
          <button type="button" className="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
