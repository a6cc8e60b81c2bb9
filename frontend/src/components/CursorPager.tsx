interface CursorPagerProps {
  label: string;
  /** False on the newest page. */
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Newer/older buttons for a Relay connection, which only pages forward. */
export function CursorPager({ label, hasPrevious, hasNext, onPrevious, onNext }: CursorPagerProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" onClick={onPrevious} disabled={!hasPrevious}>
        Newer
      </button>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext}>
        Older
      </button>
    </nav>
  );
}
