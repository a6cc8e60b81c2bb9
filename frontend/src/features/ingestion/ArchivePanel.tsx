import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { RunArchivalMutation as RunArchivalResult } from '../../gql/graphql';
import { formatCount } from '../../lib/format';
import { RunArchivalMutation } from './queries';

type Archive = RunArchivalResult['runArchival'];

function archiveCounts(a: Archive): string {
  return `${formatCount(a.usageBuckets)} usage buckets, ${formatCount(a.sessions)} sessions and ${formatCount(a.interactions)} interactions`;
}

/**
 * Admin only: move old sessions and buckets to the archive tables. Answers
 * stay the same (queries read the archive when a range reaches it); a dry run
 * counts first, and Archive moves what the dry run counted.
 */
export function ArchivePanel() {
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
        <InputField
          label="Older than (days)"
          type="number"
          min={1}
          required
          value={days}
          onChange={(e) => {
            setDays(e.target.value);
            setPreview(null);
          }}
        />
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
