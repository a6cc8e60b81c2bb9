import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS_TICK, TOOLTIP_ITEM_STYLE } from '../../../components/chartTheme';
import { useId } from 'react';
import { ChartLegend } from '../../../components/ChartLegend';
import { dayCells, HatchPatterns, svgId } from '../../../components/HatchPatterns';
import { Empty } from '../../../components/Status';
import { todayUtc } from '../../../lib/dates';
import { formatCompact, formatCompactUsd, formatCount, formatDay, formatPercent, formatUsd } from '../../../lib/format';
import { show } from './amounts';
import { ATTRIBUTION_CATEGORIES, type AttributionLine, type AttributionMeasure, type AttributionPoint } from './attribution';
import { AttributionLegend } from './AttributionLegend';
import { ChartCanvas } from '../../../components/ChartCanvas';

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
  const prefix = svgId(useId());
  const today = todayUtc();
  const hasToday = points.some((p) => p.date === today);
  return (
    <section className="panel" aria-labelledby="attr-chart-title">
      <h2 id="attr-chart-title">Attribution per day</h2>
      {!hasUsage ? (
        <Empty>
          No provider or app-reported usage between {formatDay(range.from)} and {formatDay(range.to)}.
        </Empty>
      ) : (
        <figure className="chart" aria-label={title}>
          <ChartCanvas>
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} accessibilityLayer={false}>
                <HatchPatterns prefix={prefix} colors={ATTRIBUTION_CATEGORIES.map((c) => c.color)} />
                <CartesianGrid vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="date" tickFormatter={formatDay} tick={AXIS_TICK} minTickGap={16} />
                <YAxis
                  yAxisId="amount"
                  tick={AXIS_TICK}
                  width={64}
                  tickFormatter={(v: number) => (measure === 'cost' ? formatCompactUsd(v) : formatCompact(v))}
                />
                <YAxis
                  yAxisId="coverage"
                  orientation="right"
                  tick={AXIS_TICK}
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
                  itemStyle={TOOLTIP_ITEM_STYLE}
                />
                {ATTRIBUTION_CATEGORIES.map((c) => (
                  <Bar
                    key={c.key}
                    yAxisId="amount"
                    dataKey={c.key}
                    name={c.label}
                    stackId="attribution"
                    fill={c.color}
                    isAnimationActive={false}
                  >
                    {dayCells(points, today, prefix, c.color)}
                  </Bar>
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
          </ChartCanvas>
          {hasToday && <ChartLegend items={[]} incomplete />}
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
