import { useId } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
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
  /** Days a provider restated, marked above their bar: date → what changed and when (one line each). */
  revised?: ReadonlyMap<string, readonly string[]>;
}

/** Amber: 4.9:1 against white, the colour of every "revised" mark. */
const REVISED_COLOR = '#b54708';

/** The mark above a revised day's bar; hovering it lists the changes. */
function RevisedMarker({ x, y, date, lines }: { x: number; y: number; date: string; lines: readonly string[] }) {
  return (
    <g className="revised-marker" data-testid="revised-marker" data-date={date} role="img" aria-label={`${date} revised`}>
      <title>{[`${date} revised:`, ...lines].join('\n')}</title>
      <circle cx={x} cy={y + 7} r={7} fill={REVISED_COLOR} />
      <text x={x} y={y + 10.5} textAnchor="middle" fontSize={10} fontWeight={700} fill="#fff">
        R
      </text>
    </g>
  );
}

export function UsageChart({ points, series, metric, title, today = todayUtc(), flags, revised }: UsageChartProps) {
  const prefix = svgId(useId());
  const colored = series.map((s) => ({ ...s, color: seriesColor(s.colorKey, s.other) }));
  const hasToday = points.some((p) => p.date === today);
  const revisedDays = revised ? points.map((p) => p.date).filter((date) => revised.has(date)) : [];
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
              labelFormatter={(label) => {
                const day = formatDay(String(label));
                const lines = revised?.get(day);
                if (!lines) return day;
                return (
                  <span data-testid="tooltip-revised">
                    {day} <strong style={{ color: REVISED_COLOR }}>· revised</strong>
                    {lines.map((line) => (
                      <span key={line} className="chart-tooltip-revision">
                        {line}
                      </span>
                    ))}
                  </span>
                );
              }}
              formatter={(value) => formatValue(metric, Number(value))}
              itemStyle={TOOLTIP_ITEM_STYLE}
            />
            {colored.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="usage" fill={s.color} isAnimationActive={false}>
                {dayCells(points, today, prefix, s.color, (date) => flags?.keys.has(`${date}|${s.key}`) ?? false)}
              </Bar>
            ))}
            {revisedDays.map((date) => (
              <ReferenceLine
                key={`revised-${date}`}
                x={date}
                stroke={REVISED_COLOR}
                strokeDasharray="3 3"
                label={(props: { viewBox?: { x?: number; y?: number } }) => (
                  <RevisedMarker x={props.viewBox?.x ?? 0} y={props.viewBox?.y ?? 0} date={date} lines={revised?.get(date) ?? []} />
                )}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </ChartCanvas>
      <ChartLegend
        items={colored.map((s) => ({ label: s.label, color: s.color, title: s.ids }))}
        incomplete={hasToday}
        revised={revisedDays.length > 0}
      />
      <figcaption className="visually-hidden">
        {title}.{' '}
        {series
          .map((s) => `${s.label}: ${metric === 'cost' ? formatUsd(s.total) : formatCount(s.total.toNumber())}`)
          .join('; ')}
        {hasToday && '. Today is still being ingested, so its figures are incomplete.'}
        {flags && flags.keys.size > 0 && ` ${flags.description}`}
        {revisedDays.length > 0 && ` Revised days: ${revisedDays.map((d) => `${d} (${revised?.get(d)?.join('; ')})`).join('; ')}.`}
      </figcaption>
    </figure>
  );
}
