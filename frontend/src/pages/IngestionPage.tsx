import { createColumnHelper } from '@tanstack/react-table';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  AddConnectionMutation,
  IngestionQuery,
  RefreshInventoryMutation,
  RemoveConnectionMutation,
  RunArchivalMutation,
  RunIngestionMutation,
  TestConnectionMutation,
} from '../api/queries';
import { useIdentity } from '../auth/AuthContext';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { Empty, ErrorNotice, QueryView } from '../components/Status';
import { useCursorPaging } from '../hooks/useCursorPages';
import type { ConnectionFieldsFragment, IngestionRunFieldsFragment, RunArchivalMutation as RunArchivalResult } from '../gql/graphql';
import { addDays, formatDateTime, formatDay, todayUtc } from '../lib/dates';
import { formatCount, formatDuration } from '../lib/format';

const PAGE_SIZE = 20;

const run = createColumnHelper<IngestionRunFieldsFragment>();
const count = { cell: ({ getValue }: { getValue: () => number }) => formatCount(getValue()), meta: { numeric: true } };
const runColumns = [
  run.accessor('startedAt', { header: 'Started', cell: ({ getValue }) => formatDateTime(getValue()) }),
  run.accessor('provider', { header: 'Provider' }),
  run.accessor('label', { header: 'Label' }),
  run.accessor((r) => `${r.rangeStart} → ${r.rangeEnd}`, { id: 'range', header: 'Days' }),
  run.accessor('status', {
    header: 'Status',
    cell: ({ row: { original } }) => (
      <span className={`tag tag-${original.status}`}>
        {original.status}
        {original.dryRun && ' (dry run)'}
      </span>
    ),
  }),
  run.accessor('durationMs', { header: 'Took', cell: ({ getValue }) => formatDuration(getValue()), meta: { numeric: true } }),
  run.accessor('windows', { header: 'Windows', ...count }),
  run.accessor('pages', { header: 'Pages', ...count }),
  run.accessor('rowsInserted', { header: 'Inserted', ...count }),
  run.accessor('rowsUpdated', { header: 'Updated', ...count }),
  run.accessor('rowsDeleted', { header: 'Deleted', ...count }),
  run.accessor('retries', { header: 'Retries', ...count }),
  run.accessor('rateLimited', { header: 'Rate limited', ...count }),
  run.accessor((r) => (Array.isArray(r.issues) ? r.issues.length : 0), {
    id: 'issues',
    header: 'Issues',
    cell: ({ row: { original } }) =>
      Array.isArray(original.issues) && original.issues.length > 0 ? (
        <details>
          <summary>{original.issues.length}</summary>
          <pre className="json">{JSON.stringify(original.issues, null, 2)}</pre>
        </details>
      ) : (
        '0'
      ),
    meta: { numeric: true },
  }),
];

const KEY_SOURCES: Record<string, string> = {
  environment: 'environment variable',
  stored: 'stored (sealed)',
  demo: 'demo simulator',
};

const connection = createColumnHelper<ConnectionFieldsFragment>();
const connectionColumns = [
  connection.accessor('name', { header: 'Connection' }),
  connection.accessor('provider', { header: 'Provider' }),
  connection.accessor('keySource', {
    header: 'Key from',
    cell: ({ getValue }) => KEY_SOURCES[getValue()] ?? getValue(),
  }),
  connection.accessor((c) => c.baseUrl ?? '', {
    id: 'baseUrl',
    header: 'Base URL',
    cell: ({ getValue }) => (getValue() ? <code className="break">{getValue()}</code> : <span className="muted">default</span>),
  }),
  connection.accessor((c) => c.completeThrough ?? '', {
    id: 'completeThrough',
    header: 'Complete through',
    cell: ({ getValue }) => (getValue() ? formatDay(getValue()) : <span className="warning">never ingested</span>),
  }),
  connection.accessor('keyFingerprint', { header: 'Key', cell: ({ getValue }) => <code>{getValue()}</code> }),
];

export function IngestionPage() {
  const { role } = useIdentity();
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({ query: IngestionQuery, variables: { first: PAGE_SIZE, after: paging.after } });
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <>
      <PageHeader title="Ingestion" />
      <QueryView result={result} onRetry={reload} loadingLabel="Loading ingestion runs…">
        {(data) => (
          <>
            <section className="panel" aria-labelledby="connections-title">
              <h2 id="connections-title">Provider connections</h2>
              <Connections connections={data.providerConnections} admin={role === 'admin'} onChanged={reload} />
            </section>
            {role === 'admin' && <AddConnectionForm onAdded={reload} />}
            {role === 'admin' && (
              <BackfillForm
                connections={data.providerConnections}
                onDone={() => {
                  paging.reset();
                  reload();
                }}
              />
            )}
            {role === 'admin' && <ArchivePanel />}
            <section className="panel" aria-labelledby="runs-title">
              <h2 id="runs-title">Runs</h2>
              <Runs runs={data.ingestionRuns.nodes} />
              <CursorPager
                label="Run pages"
                hasPrevious={paging.hasPrevious}
                hasNext={data.ingestionRuns.pageInfo.hasNextPage}
                onPrevious={paging.previous}
                onNext={() => paging.next(data.ingestionRuns.pageInfo.endCursor)}
              />
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

function Connections({
  connections,
  admin,
  onChanged,
}: {
  connections: ConnectionFieldsFragment[];
  admin: boolean;
  onChanged: () => void;
}) {
  const columns = useMemo(
    () =>
      admin
        ? [
            ...connectionColumns,
            connection.display({
              id: 'actions',
              header: 'Actions',
              cell: ({ row: { original } }) => <ConnectionActions connection={original} onRemoved={onChanged} />,
            }),
          ]
        : connectionColumns,
    [admin, onChanged],
  );
  const table = useDataTable({ data: connections, columns });
  if (connections.length === 0) {
    return (
      <Empty>
        No provider connections. {admin ? 'Add one below, or set' : 'An admin can add one, or set'} OPENAI_ADMIN_KEY or
        ANTHROPIC_ADMIN_KEY and restart the server.
      </Empty>
    );
  }
  return <DataTable table={table} caption="Provider connections and their freshness" />;
}

function Runs({ runs }: { runs: IngestionRunFieldsFragment[] }) {
  const table = useDataTable({ data: runs, columns: runColumns });
  if (runs.length === 0) return <Empty>No ingestion has run yet.</Empty>;
  return <DataTable table={table} caption="Ingestion runs, newest first" />;
}

/** Admin only: backfill a day range for one provider (or one connection). */
function BackfillForm({ connections, onDone }: { connections: ConnectionFieldsFragment[]; onDone: () => void }) {
  const id = useId();
  const [state, start] = useMutation(RunIngestionMutation);
  const providers = [...new Set(connections.map((c) => c.provider))].sort();
  const yesterday = addDays(todayUtc(), -1);
  const [form, setForm] = useState({
    provider: providers[0] ?? '',
    connection: '',
    from: addDays(yesterday, -6),
    to: yesterday,
    dryRun: false,
    chunkDays: '',
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await start({
      provider: form.provider,
      from: form.from,
      to: form.to,
      connection: form.connection || null,
      dryRun: form.dryRun,
      chunkDays: form.chunkDays ? Number(form.chunkDays) : null,
    });
    if (!result.error) onDone();
  }

  const done = state.data?.runIngestion;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Backfill</h2>
      <p className="muted">Fetches provider usage for the days again; running a range twice changes nothing.</p>
      <form className="form-grid" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select
            id={`${id}-provider`}
            value={form.provider}
            required
            onChange={(e) => set({ provider: e.target.value, connection: '' })}
          >
            {providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-connection`}>Connection</label>
          <select id={`${id}-connection`} value={form.connection} onChange={(e) => set({ connection: e.target.value })}>
            <option value="">All of the provider</option>
            {connections
              .filter((c) => c.provider === form.provider)
              .map((c) => (
                <option key={c.id} value={c.name}>
                  {c.name}
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From (UTC)</label>
          <input id={`${id}-from`} type="date" required max={form.to} value={form.from} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To (UTC)</label>
          <input id={`${id}-to`} type="date" required min={form.from} value={form.to} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-chunk`}>Days per request</label>
          <input
            id={`${id}-chunk`}
            type="number"
            min={1}
            placeholder="default"
            value={form.chunkDays}
            onChange={(e) => set({ chunkDays: e.target.value })}
          />
        </div>
        <label className="check">
          <input type="checkbox" checked={form.dryRun} onChange={(e) => set({ dryRun: e.target.checked })} />
          <span>Dry run (fetch, do not store)</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching || providers.length === 0}>
            {state.fetching ? 'Running…' : 'Run backfill'}
          </button>
          <span role="status" className="small">
            {done &&
              !state.error &&
              `Run ${done.id} ${done.status}: ${formatCount(done.rowsInserted)} inserted, ${formatCount(done.rowsUpdated)} updated in ${formatDuration(done.durationMs)}.`}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}

/** Admin only: check a connection's key, refresh its inventory (names), or remove it. */
function ConnectionActions({ connection: c, onRemoved }: { connection: ConnectionFieldsFragment; onRemoved: () => void }) {
  const [test, runTest] = useMutation(TestConnectionMutation);
  const [refresh, runRefresh] = useMutation(RefreshInventoryMutation);
  const [removal, runRemove] = useMutation(RemoveConnectionMutation);
  // The outcome of the last action, so an older one is not shown beside it.
  const [last, setLast] = useState<'test' | 'refresh' | 'remove' | null>(null);

  async function remove() {
    if (!window.confirm(`Remove the connection “${c.name}”? The usage it ingested stays.`)) return;
    setLast('remove');
    const answer = await runRemove({ name: c.name });
    if (!answer.error) onRemoved();
  }

  const check = test.data?.testProviderConnection;
  const report = refresh.data?.refreshInventory;
  return (
    <div className="row-actions">
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={test.fetching}
          aria-label={`Test connection ${c.name}`}
          onClick={() => {
            setLast('test');
            runTest({ name: c.name });
          }}
        >
          {test.fetching ? 'Testing…' : 'Test'}
        </button>
        <button
          type="button"
          className="button"
          disabled={refresh.fetching}
          aria-label={`Refresh inventory of ${c.name}`}
          onClick={() => {
            setLast('refresh');
            // Pages showing names read the inventory again.
            runRefresh({ connection: c.name }, { additionalTypenames: ['InventoryItem'] });
          }}
        >
          {refresh.fetching ? 'Refreshing…' : 'Refresh inventory'}
        </button>
        <button type="button" className="button" disabled={removal.fetching} aria-label={`Remove connection ${c.name}`} onClick={remove}>
          Remove
        </button>
      </div>
      <div role="status" className="small" aria-live="polite">
        {last === 'test' && check && !test.fetching && (
          <span className={check.ok ? 'ok' : 'warning'}>
            {check.ok ? 'OK' : `Failed (${check.code ?? 'error'})`}: {check.message} · {formatDuration(check.latencyMs)}
          </span>
        )}
        {last === 'refresh' && report && !refresh.fetching && (
          <span>
            {formatCount(report.items)} items ({report.byKind.map((k) => `${k.count} ${k.kind.replace('_', ' ')}`).join(', ')}):{' '}
            {report.inserted} new, {report.updated} changed, {report.deleted} gone.
          </span>
        )}
      </div>
      {last === 'test' && test.error && <ErrorNotice error={test.error} />}
      {last === 'refresh' && refresh.error && <ErrorNotice error={refresh.error} />}
      {last === 'remove' && removal.error && <ErrorNotice error={removal.error} />}
    </div>
  );
}

/** Admin only. The key is sealed by the server and never shown again, here included. */
function AddConnectionForm({ onAdded }: { onAdded: () => void }) {
  const id = useId();
  const [state, add] = useMutation(AddConnectionMutation);
  const [form, setForm] = useState({ name: '', provider: 'openai', baseUrl: '' });
  // Kept apart from the rest of the form, and emptied as soon as it is sent.
  const [adminKey, setAdminKey] = useState('');
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const key = adminKey;
    setAdminKey('');
    const answer = await add({
      input: { name: form.name.trim(), provider: form.provider, adminKey: key, baseUrl: form.baseUrl.trim() || null },
    });
    if (!answer.error) {
      setForm({ name: '', provider: form.provider, baseUrl: '' });
      onAdded();
    }
  }

  const added = state.data?.addProviderConnection;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Add a connection</h2>
      <p className="muted">
        An organization admin key (OpenAI <code>sk-admin-…</code>, Anthropic <code>sk-ant-admin…</code>). It is sealed with
        the server's master key and never shown again.
      </p>
      <form className="form-grid" onSubmit={submit} autoComplete="off">
        <div className="field">
          <label htmlFor={`${id}-name`}>Connection name</label>
          <input
            id={`${id}-name`}
            required
            pattern="[A-Za-z0-9_.\-]{1,64}"
            title="1 to 64 letters, digits, -, _ or ."
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={form.provider} onChange={(e) => set({ provider: e.target.value })}>
            <option value="openai">openai</option>
            <option value="anthropic">anthropic</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-key`}>Admin key</label>
          <input
            id={`${id}-key`}
            type="password"
            required
            autoComplete="new-password"
            spellCheck={false}
            value={adminKey}
            onChange={(e) => setAdminKey(e.target.value)}
          />
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-url`}>Base URL (optional)</label>
          <input
            id={`${id}-url`}
            type="url"
            placeholder="the provider's default"
            value={form.baseUrl}
            onChange={(e) => set({ baseUrl: e.target.value })}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {state.fetching ? 'Adding…' : 'Add connection'}
          </button>
          <span role="status" className="small">
            {added && !state.error && `Added ${added.name} (key ${added.keyFingerprint}). Test it, then refresh its inventory.`}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}

type Archive = RunArchivalResult['runArchival'];

function archiveCounts(a: Archive): string {
  return `${formatCount(a.usageBuckets)} usage buckets, ${formatCount(a.sessions)} sessions and ${formatCount(a.interactions)} interactions`;
}

/**
 * Admin only: move old sessions and buckets to the archive tables. Answers
 * stay the same (queries read the archive when a range reaches it); a dry run
 * counts first, and Archive moves what the dry run counted.
 */
function ArchivePanel() {
  const id = useId();
  const [state, run] = useMutation(RunArchivalMutation);
  const [days, setDays] = useState('365');
  const [preview, setPreview] = useState<{ days: number; result: Archive } | null>(null);
  const [done, setDone] = useState<Archive | null>(null);
  const valid = /^\d+$/.test(days.trim());

  async function dryRun(event: FormEvent) {
    event.preventDefault();
    if (!valid) return;
    setDone(null);
    const answer = await run({ olderThanDays: Number(days), dryRun: true });
    setPreview(answer.data ? { days: Number(days), result: answer.data.runArchival } : null);
  }

  async function apply() {
    if (!preview) return;
    const answer = await run({ olderThanDays: preview.days, dryRun: false });
    if (answer.data) {
      setDone(answer.data.runArchival);
      setPreview(null);
    }
  }

  const counted = preview?.result;
  const nothing = counted && counted.usageBuckets + counted.sessions + counted.interactions === 0;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Archive</h2>
      <p className="muted">
        Moves sessions (with their interactions) and usage buckets of old days to the archive tables; daily rollups
        stay, and every page still reads archived days.
      </p>
      <form className="form-grid" onSubmit={dryRun} aria-label="Archive old data">
        <div className="field">
          <label htmlFor={`${id}-days`}>Older than (days)</label>
          <input
            id={`${id}-days`}
            type="number"
            min={1}
            required
            value={days}
            onChange={(e) => {
              setDays(e.target.value);
              setPreview(null);
            }}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={state.fetching || !valid}>
            {state.fetching && !preview ? 'Counting…' : 'Count (dry run)'}
          </button>
          {counted && !nothing && (
            <button type="button" className="button button-primary" onClick={apply} disabled={state.fetching}>
              {state.fetching ? 'Archiving…' : `Archive days before ${counted.cutoff}`}
            </button>
          )}
        </div>
      </form>
      <p role="status" aria-live="polite" className="small" data-testid="archive-status">
        {counted &&
          (nothing
            ? `Nothing to archive: no data before ${counted.cutoff}.`
            : `Would move ${archiveCounts(counted)} (days before ${counted.cutoff}).`)}
        {done &&
          `Moved ${archiveCounts(done)} in ${formatCount(done.batches)} batches${done.complete ? '.' : '; not finished, run it again to continue.'}`}
      </p>
      {state.error && <ErrorNotice error={state.error} />}
    </section>
  );
}
