interface PagedCursorPagerProps {
  label: string;
  /** 1-based. */
  page: number;
  /** From the connection's `totalCount` and the page size; at least 1. */
  pageCount: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous/Next over a server-paged connection, with "Page N of M". */
export function PagedCursorPager({ label, page, pageCount, hasNext, onPrevious, onNext }: PagedCursorPagerProps) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" onClick={onPrevious} disabled={page <= 1}>
        Previous
      </button>
      <span aria-live="polite" data-testid="page-label">
        Page {page} of {pageCount}
      </span>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}

/** Pages needed for `total` rows, `size` a page; an empty list is one (empty) page. */
export function pageCountOf(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}
