import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesColor } from '../lib/colors';
import { todayUtc } from '../lib/dates';
import { formatCompact, formatCompactUsd, formatCount, formatDay, formatUsd } from '../lib/format';
import type { ChartPoint, Metric, Series } from '../lib/usage';
import { ChartLegend } from './ChartLegend';
import { AXIS_TICK, TOOLTIP_ITEM_STYLE } from './chartTheme';
import { dayCells, HatchPatterns, svgId } from './HatchPatterns';
import { ChartCanvas } from './ChartCanvas';

function formatValue(metric: Metric, value: number): string {
  return metric === 'cost' ? formatUsd(String(value)) : formatCount(value);
}

interface UsageChartProps {
  points: ChartPoint[];
  series: Series[];
  metric: Metric;
  /** Read by screen readers in place of the drawing. */
  title: string;
  /** The day still being ingested (default: today, UTC); its bars are hatched. */
  today?: string;
  /** Bars to outline, as `date|seriesKey`, with what the caption says about them. */
  flags?: { keys: ReadonlySet<string>; description: string };
}

export function UsageChart({ points, series, metric, title, today = todayUtc(), flags }: UsageChartProps) {
  const prefix = svgId(useId());
  const colored = series.map((s) => ({ ...s, color: seriesColor(s.colorKey, s.other) }));
  const hasToday = points.some((p) => p.date === today);
  return (
    <figure className="chart" aria-label={title}>
      <ChartCanvas>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} accessibilityLayer={false}>
            <HatchPatterns prefix={prefix} colors={colored.map((s) => s.color)} />
            <CartesianGrid vertical={false} stroke="#e5e7eb" />
            <XAxis dataKey="date" tickFormatter={formatDay} tick={AXIS_TICK} minTickGap={16} />
            <YAxis
              tick={AXIS_TICK}
              width={64}
              tickFormatter={(value: number) => (metric === 'cost' ? formatCompactUsd(value) : formatCompact(value))}
            />
            <Tooltip
              labelFormatter={(label) => formatDay(String(label))}
              formatter={(value) => formatValue(metric, Number(value))}
              itemStyle={TOOLTIP_ITEM_STYLE}
            />
            {colored.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="usage" fill={s.color} isAnimationActive={false}>
                {dayCells(points, today, prefix, s.color, (date) => flags?.keys.has(`${date}|${s.key}`) ?? false)}
              </Bar>
            ))}
          </BarChart>
        </ResponsiveContainer>
      </ChartCanvas>
      <ChartLegend
        items={colored.map((s) => ({ label: s.label, color: s.color, title: s.ids }))}
        incomplete={hasToday}
      />
      <figcaption className="visually-hidden">
        {title}.{' '}
        {series
          .map((s) => `${s.label}: ${metric === 'cost' ? formatUsd(s.total) : formatCount(s.total.toNumber())}`)
          .join('; ')}
        {hasToday && '. Today is still being ingested, so its figures are incomplete.'}
        {flags && flags.keys.size > 0 && ` ${flags.description}`}
      </figcaption>
    </figure>
  );
}
