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

/** Outline of a bar flagged as unusual (e.g. an anomalous day). */
export const FLAG_STROKE = '#111827';

/**
 * A bar's per-day fills: its colour, hatched on `today`; a day `flagged`
 * says is outlined. Recharts takes them as `<Cell>` children of the `<Bar>`.
 */
export function dayCells(
  points: readonly { date: string }[],
  today: string,
  prefix: string,
  color: string,
  flagged: (date: string) => boolean = () => false,
) {
  return points.map((p) => {
    const fill = p.date === today ? `url(#${hatchId(prefix, color)})` : color;
    return flagged(p.date) ? (
      <Cell key={p.date} fill={fill} stroke={FLAG_STROKE} strokeWidth={3} className="bar-flagged" />
    ) : (
      <Cell key={p.date} fill={fill} />
    );
  });
}
