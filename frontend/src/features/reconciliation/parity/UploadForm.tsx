import { type FormEvent, useId, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { REJECTED_NOTICE, useAuth, useIdentity } from '../../../auth/AuthContext';
import { InputField, SelectField } from '../../../components/FormField';
import { ErrorNotice } from '../../../components/Status';
import type { ImportUsageCsvMutation as ImportResult, ParityExportKind, Provider } from '../../../gql/graphql';
import { addDays, todayUtc } from '../../../lib/dates';
import { oneOf, PROVIDERS } from '../../../lib/enums';
import { multipartBody, postMultipart } from '../../../lib/upload';
import { EXPORT_KINDS, exportKindLabel } from './parity';
import { ImportUsageCsvMutation, ParityConnectionsQuery } from './queries';
import { UploadedReport } from './UploadedReport';

const DECIMAL = /^\d+(\.\d+)?$/;

interface UploadState {
  sending: boolean;
  error: string | null;
  report: ImportResult['importUsageCsv'] | null;
}

/** Admin only: upload a dashboard export; the server compares and stores the report. */
export function UploadForm({ onUploaded }: { onUploaded: () => void }) {
  const id = useId();
  const { token } = useIdentity();
  const { signOut } = useAuth();
  const [connections] = useQuery({ query: ParityConnectionsQuery });
  const fileRef = useRef<HTMLInputElement>(null);
  const yesterday = addDays(todayUtc(), -1);
  const [form, setForm] = useState<{
    provider: Provider;
    kind: ParityExportKind;
    /** Null until the admin picks one. */
    connection: string | null;
    start: string;
    end: string;
    tolerance: string;
    tolerancePct: string;
  }>({
    provider: 'openai',
    kind: 'USAGE',
    connection: null,
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

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Compare a CSV export</h2>
      <p className="muted">
        Upload a provider dashboard export (OpenAI completions usage, or cost). Every day of the range is compared with
        the stored figures and the report is kept. A malformed file is refused with its line number.
      </p>
      <form className="form-grid" onSubmit={submit} aria-label="Compare a CSV export">
        <InputField label="CSV file" className="field-wide" ref={fileRef} type="file" accept=".csv,text/csv" required />
        <SelectField
          label="Provider"
          value={form.provider}
          onChange={(e) => set({ provider: oneOf(PROVIDERS, e.target.value) ?? form.provider, connection: null })}
        >
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <SelectField label="Export" value={form.kind} onChange={(e) => set({ kind: oneOf(EXPORT_KINDS, e.target.value) ?? form.kind })}>
          {EXPORT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {exportKindLabel(kind)}
            </option>
          ))}
        </SelectField>
        <SelectField label="Connection" value={connection} onChange={(e) => set({ connection: e.target.value })}>
          {ofProvider.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
          <option value="">The provider's only connection</option>
        </SelectField>
        <InputField label="First day (UTC)" type="date" required max={form.end} value={form.start} onChange={(e) => set({ start: e.target.value })} />
        <InputField label="Last day (UTC)" type="date" required min={form.start} value={form.end} onChange={(e) => set({ end: e.target.value })} />
        <InputField
          label="Tolerance (absolute)"
          inputMode="decimal"
          placeholder="0"
          value={form.tolerance}
          onChange={(e) => set({ tolerance: e.target.value })}
        />
        <InputField
          label="Tolerance (%)"
          inputMode="decimal"
          placeholder="0"
          value={form.tolerancePct}
          onChange={(e) => set({ tolerancePct: e.target.value })}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.sending}>
            {state.sending ? 'Comparing…' : 'Upload and compare'}
          </button>
          <span role="status" className="small" data-testid="parity-upload-status">
            {state.report && <UploadedReport report={state.report} />}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
