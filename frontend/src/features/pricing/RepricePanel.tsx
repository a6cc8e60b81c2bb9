import { type FormEvent, useId, useMemo, useState } from 'react';
import { useMutation } from 'urql';
import { useDataTable } from '../../components/DataTable';
import { InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import { lastDays } from '../../lib/dates';
import { IN_USE_DAYS } from './inUse';
import { RepriceUsageMutation } from './queries';
import { repriceColumns } from './repriceColumns';
import { type RepriceResult, repriceDiffRows, repriceSummary } from './reprice';
import { RepricePreview } from './RepricePreview';

/**
 * Admin only: price stored usage again with the book as it stands now (after
 * an override or a sync). A dry run shows the per-day difference; only the
 * explicit Apply writes it, for exactly the days previewed.
 */
export function RepricePanel({ onApplied }: { onApplied: () => void }) {
  const id = useId();
  const [range, setRange] = useState(() => lastDays(IN_USE_DAYS));
  const [state, run] = useMutation(RepriceUsageMutation);
  const [preview, setPreview] = useState<{ range: { from: string; to: string }; result: RepriceResult } | null>(null);
  const [applied, setApplied] = useState<RepriceResult | null>(null);
  const rows = useMemo(() => repriceDiffRows(preview?.result.days ?? []), [preview]);
  const table = useDataTable({ data: rows, columns: repriceColumns, pageSize: 50 });

  function changeRange(patch: Partial<typeof range>) {
    setRange({ ...range, ...patch });
    // A preview of another range must not be applied to this one.
    setPreview(null);
  }

  async function dryRun(event: FormEvent) {
    event.preventDefault();
    setApplied(null);
    const answer = await run({ ...range, dryRun: true });
    setPreview(answer.data ? { range, result: answer.data.repriceUsage } : null);
  }

  async function apply() {
    if (!preview) return;
    const answer = await run({ ...preview.range, dryRun: false });
    if (answer.data) {
      setApplied(answer.data.repriceUsage);
      setPreview(null);
      onApplied();
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Reprice stored usage</h2>
      <p className="muted">
        Stored usage keeps the price it was ingested with. After an override or a price sync, price a range of days
        again with the price in effect on each day: preview the difference first, then apply it.
      </p>
      <form className="form-grid" onSubmit={dryRun} aria-label="Reprice stored usage">
        <InputField label="From (UTC)" type="date" required max={range.to} value={range.from} onChange={(e) => changeRange({ from: e.target.value })} />
        <InputField label="To (UTC)" type="date" required min={range.from} value={range.to} onChange={(e) => changeRange({ to: e.target.value })} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching}>
            {state.fetching && !preview ? 'Computing…' : 'Preview (dry run)'}
          </button>
        </div>
      </form>
      <div role="status" aria-live="polite" data-testid="reprice-status">
        {preview && (
          <p>
            <strong>Dry run, {preview.range.from} → {preview.range.to}:</strong> {repriceSummary(preview.result)}
          </p>
        )}
        {applied && (
          <p className="ok">
            <strong>Applied:</strong> {repriceSummary(applied)}
          </p>
        )}
      </div>
      {state.error && <ErrorNotice error={state.error} />}
      {preview && preview.result.days.length > 0 && (
        <RepricePreview table={table} preview={preview} applying={state.fetching} onApply={apply} />
      )}
    </section>
  );
}
