import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Empty } from '../../../components/Status';
import { formatDay } from '../../../lib/dates';
import { formatCompact, formatCount, formatPercent } from '../../../lib/format';
import { formatUsd } from '../../../lib/money';
import { show } from './amounts';
import { ATTRIBUTION_CATEGORIES, type AttributionLine, type AttributionMeasure, type AttributionPoint } from './attribution';
import { AttributionLegend } from './AttributionLegend';

interface AttributionChartProps {
  points: AttributionPoint[];
  totals: AttributionLine;
  range: { from: string; to: string };
  measure: AttributionMeasure;
}

/** Matched, provider-only and app-only per day, stacked, with each day's coverage as a line. */
export function AttributionChart({ points, totals, range, measure }: AttributionChartProps) {
  const unit = measure === 'tokens' ? 'tokens' : 'cost';
  const title = `Matched, provider-only and app-only ${unit} per day, ${range.from} to ${range.to}`;
  const hasUsage = totals.provider.tokens > 0 || totals.app.tokens > 0;
  return (
    <section className="panel" aria-labelledby="attr-chart-title">
      <h2 id="attr-chart-title">Attribution per day</h2>
      {!hasUsage ? (
        <Empty>
          No provider or app-reported usage between {formatDay(range.from)} and {formatDay(range.to)}.
        </Empty>
      ) : (
        <figure className="chart" aria-label={title}>
          <div className="chart-canvas" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={16} />
                <YAxis
                  yAxisId="amount"
                  tick={{ fontSize: 12 }}
                  width={64}
                  tickFormatter={(v: number) => (measure === 'cost' ? `$${formatCompact(v)}` : formatCompact(v))}
                />
                <YAxis
                  yAxisId="coverage"
                  orientation="right"
                  tick={{ fontSize: 12 }}
                  width={48}
                  domain={[0, (max: number) => Math.max(1, Math.ceil(max))]}
                  tickFormatter={(v: number) => `${v}%`}
                />
                <Tooltip
                  labelFormatter={(label) => formatDay(String(label))}
                  formatter={(value, name) =>
                    name === 'Coverage'
                      ? formatPercent(Number(value), 2)
                      : measure === 'cost'
                        ? formatUsd(String(value))
                        : formatCount(Number(value))
                  }
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {ATTRIBUTION_CATEGORIES.map((c) => (
                  <Bar
                    key={c.key}
                    yAxisId="amount"
                    dataKey={c.key}
                    name={c.label}
                    stackId="attribution"
                    fill={c.color}
                    isAnimationActive={false}
                  />
                ))}
                <Line
                  yAxisId="coverage"
                  dataKey="coverage"
                  name="Coverage"
                  stroke="#1d4ed8"
                  strokeWidth={2}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <figcaption className="visually-hidden">
            {title}.{' '}
            {ATTRIBUTION_CATEGORIES.map((c) => `${c.label}: ${show(totals[c.key], measure)}`).join('; ')}. The line is
            each day's coverage, on the right axis.
          </figcaption>
        </figure>
      )}
      <AttributionLegend />
    </section>
  );
}
