export interface LegendItem {
  label: string;
  color: string;
  /** A tooltip, e.g. the raw ids behind a label made of names. */
  title?: string;
}

interface ChartLegendProps {
  items: readonly LegendItem[];
  /** Adds the hatched swatch that marks a day whose data is still coming in. */
  incomplete?: boolean;
  /** Adds the mark of a day a provider restated. */
  revised?: boolean;
}

/**
 * The legend under a chart, in dark text beside a coloured swatch: text in
 * the series colour would fall below 4.5:1 for the lighter hues. It is plain
 * HTML outside the drawing, so it wraps below the chart instead of shrinking it.
 */
export function ChartLegend({ items, incomplete = false, revised = false }: ChartLegendProps) {
  return (
    <ul className="chart-legend">
      {items.map((item) => (
        <li key={item.label} className="chart-legend-item" title={item.title} data-color={item.color}>
          <span className="swatch" style={{ background: item.color }} aria-hidden="true" />
          <span className="chart-legend-label">{item.label}</span>
        </li>
      ))}
      {incomplete && (
        <li className="chart-legend-item chart-legend-note" data-testid="incomplete-note">
          <span className="swatch swatch-hatched" aria-hidden="true" />
          <span className="chart-legend-label">today (incomplete)</span>
        </li>
      )}
      {revised && (
        <li className="chart-legend-item chart-legend-note" data-testid="revised-note">
          <span className="revised-mark" aria-hidden="true">
            R
          </span>
          <span className="chart-legend-label">revised day (hover for what changed)</span>
        </li>
      )}
    </ul>
  );
}
