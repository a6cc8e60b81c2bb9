import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useId } from 'react';
import { ChartLegend } from '../../../components/ChartLegend';
import { dayCells, HatchPatterns, svgId } from '../../../components/HatchPatterns';
import { todayUtc } from '../../../lib/dates';
import { AXIS_TICK, TOOLTIP_ITEM_STYLE } from '../../../components/chartTheme';
import { Empty } from '../../../components/Status';
import { formatCompactUsd, formatDay, formatUsd } from '../../../lib/format';
import type { ReconciliationPoint, ReconciliationTotals } from '../reconciliation';
import { ChartCanvas } from '../../../components/ChartCanvas';

const COST_SERIES = [
  { key: 'billed', label: 'Billed', color: '#64748b' },
  { key: 'computed', label: 'Computed', color: '#2563eb' },
] as const;

interface CostChartProps {
  points: ReconciliationPoint[];
  totals: ReconciliationTotals;
  range: { from: string; to: string };
}

export function CostChart({ points, totals, range }: CostChartProps) {
  const title = `Billed and computed cost per day, ${range.from} to ${range.to}`;
  const prefix = svgId(useId());
  const today = todayUtc();
  const hasToday = points.some((p) => p.date === today);
  return (
    <section className="panel" aria-labelledby="recon-chart-title">
      <h2 id="recon-chart-title">Billed vs computed per day</h2>
      {points.length === 0 ? (
        <Empty>
          Nothing billed or computed between {formatDay(range.from)} and {formatDay(range.to)}.
        </Empty>
      ) : (
        <figure className="chart" aria-label={title}>
          <ChartCanvas>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} barGap={1} accessibilityLayer={false}>
                <HatchPatterns prefix={prefix} colors={COST_SERIES.map((s) => s.color)} />
                <CartesianGrid vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="date" tickFormatter={formatDay} tick={AXIS_TICK} minTickGap={16} />
                <YAxis tick={AXIS_TICK} width={64} tickFormatter={(v: number) => formatCompactUsd(v)} />
                <Tooltip
                  labelFormatter={(label) => formatDay(String(label))}
                  formatter={(value) => formatUsd(String(value))}
                  itemStyle={TOOLTIP_ITEM_STYLE}
                />
                {COST_SERIES.map((s) => (
                  <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} isAnimationActive={false}>
                    {dayCells(points, today, prefix, s.color)}
                  </Bar>
                ))}
              </BarChart>
            </ResponsiveContainer>
          </ChartCanvas>
          <ChartLegend items={COST_SERIES} incomplete={hasToday} />
          <figcaption className="visually-hidden">
            {title}. Billed {formatUsd(totals.billedUsd)}, computed {formatUsd(totals.computedUsd)};{' '}
            {points.filter((p) => p.outside > 0).length} days have rows outside tolerance.
          </figcaption>
        </figure>
      )}
    </section>
  );
}
