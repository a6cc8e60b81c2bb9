import { type ReactNode, useEffect, useRef } from 'react';

/** Takes every SVG group in `root` out of the tab order. */
function removeTabStops(root: HTMLElement) {
  for (const element of root.querySelectorAll('svg g:not([tabindex])')) element.setAttribute('tabindex', '-1');
}

/**
 * The drawing of a chart: hidden from screen readers (its figure has a text
 * equivalent) and holding no tab stop. Chromium makes Recharts' bare layer
 * `<g>`s keyboard-focusable, which left invisible tab stops inside an
 * `aria-hidden` drawing; an explicit `tabindex="-1"` on each removes them
 * while hover tooltips keep working (`inert` would stop those too).
 */
export function ChartCanvas({ className = 'chart-canvas', children }: { className?: string; children: ReactNode }) {
  const canvas = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = canvas.current;
    if (!root) return;
    removeTabStops(root);
    // Recharts adds layers as it measures and redraws.
    const observer = new MutationObserver(() => removeTabStops(root));
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={canvas} className={className} aria-hidden="true">
      {children}
    </div>
  );
}
