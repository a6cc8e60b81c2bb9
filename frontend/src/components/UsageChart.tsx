import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDay } from '../lib/dates';
import { formatCompact, formatCount } from '../lib/format';
import { formatUsd } from '../lib/money';
import type { ChartPoint, Metric, Series } from '../lib/usage';

/** A palette that stays distinguishable for common colour-vision deficiencies. */
const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#64748b'];

function formatValue(metric: Metric, value: number): string {
  return metric === 'cost' ? formatUsd(String(value)) : formatCount(value);
}

interface UsageChartProps {
  points: ChartPoint[];
  series: Series[];
  metric: Metric;
  /** Read by screen readers in place of the drawing. */
  title: string;
}

export function UsageChart({ points, series, metric, title }: UsageChartProps) {
  // A series named from the inventory keeps its raw ids in the legend's tooltip.
  const idsByLabel = new Map(series.filter((s) => s.ids).map((s) => [s.label, s.ids]));
  return (
    <figure className="chart" aria-label={title}>
      <div className="chart-canvas" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={16} />
            <YAxis
              tick={{ fontSize: 12 }}
              width={64}
              tickFormatter={(value: number) => (metric === 'cost' ? `$${formatCompact(value)}` : formatCompact(value))}
            />
            <Tooltip
              labelFormatter={(label) => formatDay(String(label))}
              formatter={(value) => formatValue(metric, Number(value))}
            />
            <Legend
              wrapperStyle={{ fontSize: 12 }}
              formatter={(value: string) => <span title={idsByLabel.get(value)}>{value}</span>}
            />
            {series.map((s, index) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="usage"
                fill={COLORS[index % COLORS.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="visually-hidden">
        {title}.{' '}
        {series
          .map((s) => `${s.label}: ${metric === 'cost' ? formatUsd(s.total) : formatCount(s.total.toNumber())}`)
          .join('; ')}
      </figcaption>
    </figure>
  );
}
