import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ImportUsageCsvMutation, ParityConnectionsQuery, ParityReportsQuery } from '../api/queries';
import { REJECTED_NOTICE, useAuth, useIdentity } from '../auth/AuthContext';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { Empty, ErrorNotice, QueryView } from '../components/Status';
import type { ImportUsageCsvMutation as ImportResult, ParityExportKind, ParityReportSummaryFieldsFragment } from '../gql/graphql';
import { useCursorPaging } from '../hooks/useCursorPages';
import { addDays, formatDateTime, todayUtc } from '../lib/dates';
import { formatCount } from '../lib/format';
import { multipartBody, postMultipart } from '../lib/upload';

const PAGE_SIZE = 20;

/** CSV parity: the stored reports, and (admin) an upload to make one. */
export function ParityView() {
  const { role } = useIdentity();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: ParityReportsQuery, variables: { first: PAGE_SIZE, after: paging.after } });
  return (
    <>
      {role === 'admin' && (
        <UploadForm
          onUploaded={() => {
            paging.reset();
            refetch({ requestPolicy: 'network-only' });
          }}
        />
      )}
      <section className="panel" aria-labelledby="parity-title">
        <h2 id="parity-title">CSV parity reports</h2>
        <p className="muted small">
          Stored usage compared with a provider dashboard's CSV export, window by window. Made here, with{' '}
          <code>cognitrack parity --provider openai --csv FILE --start … --end …</code>, or by the watch folder.
        </p>
        <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading reports…">
          {(data) => (
            <>
              <ReportTable reports={data.parityReports.nodes} />
              <CursorPager
                label="Parity report pages"
                hasPrevious={paging.hasPrevious}
                hasNext={data.parityReports.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(data.parityReports.pageInfo.endCursor)}
              />
            </>
          )}
        </QueryView>
      </section>
    </>
  );
}

type Report = ParityReportSummaryFieldsFragment;
const column = createColumnHelper<Report>();
const count = (key: 'csvRows' | 'matchedWindows' | 'missingWindows' | 'extraWindows' | 'mismatchedWindows', header: string) =>
  column.accessor(key, {
    header,
    cell: ({ getValue }) => <span data-field={key}>{formatCount(getValue())}</span>,
    meta: { numeric: true },
  });

const reportColumns = [
  column.accessor((r) => Number(r.id), {
    id: 'id',
    header: 'Report',
    cell: ({ row: { original } }) => (
      <Link to={`/reconciliation/parity/${encodeURIComponent(original.id)}`} aria-label={`View parity report #${original.id}`}>
        #{original.id}
      </Link>
    ),
  }),
  column.accessor('createdAt', { header: 'Made', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('provider', { header: 'Provider' }),
  column.accessor('kind', { header: 'Export' }),
  column.accessor((r) => r.fileName || r.source, {
    id: 'file',
    header: 'File',
    cell: ({ row: { original } }) => (
      <span title={`source: ${original.source}`}>{original.fileName || <span className="muted">{original.source}</span>}</span>
    ),
  }),
  column.accessor((r) => `${r.rangeStart} → ${r.rangeEnd}`, { id: 'range', header: 'Days' }),
  count('csvRows', 'CSV rows'),
  count('matchedWindows', 'Matched'),
  count('missingWindows', 'Missing'),
  count('extraWindows', 'Extra'),
  count('mismatchedWindows', 'Mismatched'),
  column.accessor('withinTolerance', {
    header: 'Result',
    cell: ({ getValue }) => (
      <span className={`tag ${getValue() ? 'tag-succeeded' : 'tag-failed'}`}>
        {getValue() ? 'within tolerance' : 'differences found'}
      </span>
    ),
  }),
];

function ReportTable({ reports }: { reports: Report[] }) {
  const table = useDataTable({ data: reports, columns: reportColumns });
  if (reports.length === 0) return <Empty>No parity reports yet.</Empty>;
  return <DataTable table={table} caption="CSV parity reports, newest first" />;
}

const DECIMAL = /^\d+(\.\d+)?$/;

interface UploadState {
  sending: boolean;
  error: string | null;
  report: ImportResult['importUsageCsv'] | null;
}

/** Admin only: upload a dashboard export; the server compares and stores the report. */
function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const id = useId();
  const { token } = useIdentity();
  const { signOut } = useAuth();
  const [connections] = useQuery({ query: ParityConnectionsQuery });
  const fileRef = useRef<HTMLInputElement>(null);
  const yesterday = addDays(todayUtc(), -1);
  const [form, setForm] = useState({
    provider: 'openai',
    kind: 'USAGE' as ParityExportKind,
    connection: null as string | null,
    start: yesterday,
    end: yesterday,
    tolerance: '',
    tolerancePct: '',
  });
  const [state, setState] = useState<UploadState>({ sending: false, error: null, report: null });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const ofProvider = (connections.data?.providerConnections ?? []).filter((c) => c.provider === form.provider);
  // Until the admin picks one: the provider's first connection.
  const connection = form.connection ?? ofProvider[0]?.name ?? '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file) {
      setState({ sending: false, error: 'Choose the CSV file to compare.', report: null });
      return;
    }
    const bad = (['tolerance', 'tolerancePct'] as const).find((f) => form[f].trim() !== '' && !DECIMAL.test(form[f].trim()));
    if (bad) {
      setState({ sending: false, error: 'Tolerances are decimal numbers, e.g. 10 or 0.5.', report: null });
      return;
    }
    setState({ sending: true, error: null, report: null });
    const body = multipartBody(
      ImportUsageCsvMutation,
      {
        provider: form.provider,
        kind: form.kind,
        start: form.start,
        end: form.end,
        connection: connection || null,
        tolerance: form.tolerance.trim() || null,
        tolerancePct: form.tolerancePct.trim() || null,
      },
      { file },
    );
    const answer = await postMultipart<ImportResult>('/graphql', token, body);
    if (answer.error !== undefined) {
      if (answer.unauthenticated) signOut(REJECTED_NOTICE);
      setState({ sending: false, error: answer.error, report: null });
      return;
    }
    setState({ sending: false, error: null, report: answer.data.importUsageCsv });
    if (fileRef.current) fileRef.current.value = '';
    onUploaded();
  }

  const report = state.report;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Compare a CSV export</h2>
      <p className="muted">
        Upload a provider dashboard export (OpenAI completions usage, or cost). Every day of the range is compared with
        the stored figures and the report is kept. A malformed file is refused with its line number.
      </p>
      <form className="form-grid" onSubmit={submit} aria-label="Compare a CSV export">
        <div className="field field-wide">
          <label htmlFor={`${id}-file`}>CSV file</label>
          <input id={`${id}-file`} ref={fileRef} type="file" accept=".csv,text/csv" required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={form.provider} onChange={(e) => set({ provider: e.target.value, connection: null })}>
            <option value="openai">openai</option>
            <option value="anthropic">anthropic</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Export</label>
          <select id={`${id}-kind`} value={form.kind} onChange={(e) => set({ kind: e.target.value as ParityExportKind })}>
            <option value="USAGE">Usage (tokens)</option>
            <option value="COST">Cost (USD)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-connection`}>Connection</label>
          <select id={`${id}-connection`} value={connection} onChange={(e) => set({ connection: e.target.value })}>
            {ofProvider.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
            <option value="">The provider's only connection</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-start`}>First day (UTC)</label>
          <input id={`${id}-start`} type="date" required max={form.end} value={form.start} onChange={(e) => set({ start: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-end`}>Last day (UTC)</label>
          <input id={`${id}-end`} type="date" required min={form.start} value={form.end} onChange={(e) => set({ end: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tolerance`}>Tolerance (absolute)</label>
          <input
            id={`${id}-tolerance`}
            inputMode="decimal"
            placeholder="0"
            value={form.tolerance}
            onChange={(e) => set({ tolerance: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pct`}>Tolerance (%)</label>
          <input
            id={`${id}-pct`}
            inputMode="decimal"
            placeholder="0"
            value={form.tolerancePct}
            onChange={(e) => set({ tolerancePct: e.target.value })}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.sending}>
            {state.sending ? 'Comparing…' : 'Upload and compare'}
          </button>
          <span role="status" className="small" data-testid="parity-upload-status">
            {report && (
              <>
                Report <Link to={`/reconciliation/parity/${encodeURIComponent(report.id)}`}>#{report.id}</Link>{' '}
                {report.withinTolerance ? 'is within tolerance' : 'found differences'}: {formatCount(report.matchedWindows)}{' '}
                matched, {formatCount(report.missingWindows)} missing, {formatCount(report.extraWindows)} extra,{' '}
                {formatCount(report.mismatchedWindows)} mismatched windows.
              </>
            )}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
