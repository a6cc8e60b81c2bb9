import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Empty } from '../../../components/Status';
import { formatDay } from '../../../lib/dates';
import { formatCompact } from '../../../lib/format';
import { formatUsd } from '../../../lib/money';
import type { ReconciliationPoint, ReconciliationTotals } from '../reconciliation';

interface CostChartProps {
  points: ReconciliationPoint[];
  totals: ReconciliationTotals;
  range: { from: string; to: string };
}

export function CostChart({ points, totals, range }: CostChartProps) {
  const title = `Billed and computed cost per day, ${range.from} to ${range.to}`;
  return (
    <section className="panel" aria-labelledby="recon-chart-title">
      <h2 id="recon-chart-title">Billed vs computed per day</h2>
      {points.length === 0 ? (
        <Empty>
          Nothing billed or computed between {formatDay(range.from)} and {formatDay(range.to)}.
        </Empty>
      ) : (
        <figure className="chart" aria-label={title}>
          <div className="chart-canvas" aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} barGap={1}>
                <CartesianGrid vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={16} />
                <YAxis tick={{ fontSize: 12 }} width={64} tickFormatter={(v: number) => `$${formatCompact(v)}`} />
                <Tooltip
                  labelFormatter={(label) => formatDay(String(label))}
                  formatter={(value) => formatUsd(String(value))}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="billed" name="Billed" fill="#64748b" isAnimationActive={false} />
                <Bar dataKey="computed" name="Computed" fill="#2563eb" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <figcaption className="visually-hidden">
            {title}. Billed {formatUsd(totals.billedUsd)}, computed {formatUsd(totals.computedUsd)};{' '}
            {points.filter((p) => p.outside > 0).length} days have rows outside tolerance.
          </figcaption>
        </figure>
      )}
    </section>
  );
}
