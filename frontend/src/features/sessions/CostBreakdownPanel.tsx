import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { StatCard } from '../../components/StatCard';
import { AXIS_TICK, TOOLTIP_ITEM_STYLE } from '../../components/chartTheme';
import { formatCount, formatDuration, formatUsd } from '../../lib/format';
import type { CostBreakdown } from './session';
import { ChartCanvas } from '../../components/ChartCanvas';

/** What the session's priced interactions cost, per kind of cost. */
export function CostBreakdownPanel({ breakdown, partial }: { breakdown: CostBreakdown; partial: boolean }) {
  const data = breakdown.parts.map((p) => ({ label: p.label, usd: p.usd.toNumber() }));
  return (
    <section className="panel" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Cost breakdown</h2>
      {partial && <p className="muted">For the interactions on this page.</p>}
      <div className="breakdown">
        <dl className="stats stats-compact" data-testid="breakdown">
          {breakdown.parts.map((p) => (
            <StatCard key={p.key} label={p.label} value={formatUsd(p.usd)} exact={p.usd.toFixed()} testId={`breakdown-${p.key}`} />
          ))}
        </dl>
        <ChartCanvas className="breakdown-chart">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16 }} accessibilityLayer={false}>
              <XAxis type="number" tickFormatter={(v: number) => formatUsd(String(v))} tick={AXIS_TICK} />
              <YAxis type="category" dataKey="label" width={110} tick={AXIS_TICK} />
              <Tooltip formatter={(v) => formatUsd(String(v))} itemStyle={TOOLTIP_ITEM_STYLE} />
              <Bar dataKey="usd" name="USD" fill="#2563eb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartCanvas>
      </div>
      <p className="muted small">
        {formatCount(breakdown.tokens)} tokens · {formatCount(breakdown.dbOps)} database ops · {formatCount(breakdown.apiCalls)}{' '}
        API calls · {formatDuration(breakdown.computeMs)} compute
        {breakdown.unpriced > 0 && ` · ${breakdown.unpriced} unpriced interactions not included`}
      </p>
    </section>
  );
}
