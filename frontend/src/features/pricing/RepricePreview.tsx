import type { Table } from '@tanstack/react-table';
import { DataTable } from '../../components/DataTable';
import { StatCard } from '../../components/StatCard';
import type { RepriceDiffRow, RepriceResult } from './reprice';
import { formatSignedUsd, formatUsd } from '../../lib/format';

interface RepricePreviewProps {
  /** The per-day diff rows; kept by the panel so sorting survives a new preview. */
  table: Table<RepriceDiffRow>;
  preview: { range: { from: string; to: string }; result: RepriceResult };
  applying: boolean;
  onApply: () => void;
}

/** A dry run's difference per day and provider, its totals, and the one button that applies it. */
export function RepricePreview({ table, preview, applying, onApply }: RepricePreviewProps) {
  const { result, range } = preview;
  return (
    <>
      <DataTable table={table} caption="Reprice difference per day and provider" />
      <dl className="stats stats-compact" aria-label="Reprice totals">
        <StatCard testId="reprice-old" label="Old cost" value={formatUsd(result.oldCostUsd)} exact={result.oldCostUsd} />
        <StatCard testId="reprice-new" label="New cost" value={formatUsd(result.newCostUsd)} exact={result.newCostUsd} />
        <StatCard testId="reprice-delta" label="Delta" value={formatSignedUsd(result.deltaUsd)} exact={result.deltaUsd} />
      </dl>
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={onApply} disabled={applying}>
          {applying ? 'Applying…' : `Apply to ${range.from} → ${range.to}`}
        </button>
        <span className="small muted">Writes the new costs of these {table.options.data.length} day × provider rows.</span>
      </div>
    </>
  );
}
