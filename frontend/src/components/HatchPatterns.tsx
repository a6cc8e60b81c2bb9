import { Cell } from 'recharts';

/** An SVG-safe id: React's `useId` contains characters `url(#…)` does not accept. */
export function svgId(reactId: string): string {
  return reactId.replace(/[^A-Za-z0-9_-]/g, '');
}

export function hatchId(prefix: string, color: string): string {
  return `${prefix}-hatch-${color.replace('#', '')}`;
}

/**
 * One diagonal hatch per series colour, for the day still being ingested:
 * the bar keeps its series' colour but reads as unfinished.
 */
export function HatchPatterns({ prefix, colors }: { prefix: string; colors: readonly string[] }) {
  return (
    <defs>
      {[...new Set(colors)].map((color) => (
        <pattern
          key={color}
          id={hatchId(prefix, color)}
          className="hatch-pattern"
          patternUnits="userSpaceOnUse"
          width={6}
          height={6}
          patternTransform="rotate(45)"
        >
          <rect width={6} height={6} fill={color} fillOpacity={0.2} />
          <rect width={3} height={6} fill={color} />
        </pattern>
      ))}
    </defs>
  );
}

/** A bar's per-day fills: its colour, hatched on `today`. Recharts takes them as `<Cell>` children of the `<Bar>`. */
export function dayCells(points: readonly { date: string }[], today: string, prefix: string, color: string) {
  return points.map((p) => <Cell key={p.date} fill={p.date === today ? `url(#${hatchId(prefix, color)})` : color} />);
}
