import { useState } from 'react';
import { useLocation } from 'react-router';

/*
 * The API's connections page forward only (`first`/`after`), so "newer" needs
 * the cursors of the pages already passed.
 */

/**
 * For a list whose page is in the URL: the earlier cursors ride in the history
 * entry's state, so a shared link starts on its own page.
 */
export function useCursorTrail(): string[] {
  const { state } = useLocation();
  const trail: unknown = (state as { cursors?: unknown } | null)?.cursors;
  return Array.isArray(trail) ? trail.filter((c): c is string => typeof c === 'string') : [];
}

/** For a list paged in place. */
export function useCursorPaging() {
  const [trail, setTrail] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  return {
    after,
    hasPrevious: trail.length > 0,
    previous() {
      setAfter(trail.at(-1) ?? null);
      setTrail(trail.slice(0, -1));
    },
    next(endCursor: string | null | undefined) {
      setTrail([...trail, after]);
      setAfter(endCursor ?? null);
    },
    reset() {
      setTrail([]);
      setAfter(null);
    },
  };
}
