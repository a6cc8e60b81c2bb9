import { useMutation } from 'urql';
import { ConfirmDestructive } from '../../components/ConfirmDestructive';
import { StatCard } from '../../components/StatCard';
import { ErrorNotice } from '../../components/Status';
import type { PeriodCloseFieldsFragment } from '../../gql/graphql';
import { formatCount, formatDateTime, formatRange, formatSignedUsd, formatUsd } from '../../lib/format';
import { type NameIndex, nameOrId } from '../../lib/names';
import { RevisionTable } from '../revisions/RevisionTable';
import type { ConnectionNames } from '../revisions/revisions';
import { ReopenPeriodMutation } from './queries';

export type Close = PeriodCloseFieldsFragment;

/** "every provider" for a close of all of them. */
export function scopeLabel(provider: Close['provider']): string {
  return provider ?? 'every provider';
}

interface CloseCardProps {
  close: Close;
  admin: boolean;
  onChanged: () => void;
  names: NameIndex;
  connections: ConnectionNames;
}

/** One close: period and scope, who closed (and reopened) it and when, the frozen totals and lines, and its adjustments. */
export function CloseCard({ close, admin, onChanged, names, connections }: CloseCardProps) {
  const [reopening, reopen] = useMutation(ReopenPeriodMutation);
  const reopened = close.reopenedAt !== null && close.reopenedAt !== undefined;
  const scope = scopeLabel(close.provider);
  const title = `${close.period} · ${scope}`;
  const adjusted = close.adjustments.length > 0;

  async function confirmReopen() {
    const result = await reopen({ id: close.id });
    if (!result.error) onChanged();
  }

  return (
    <li
      className={`close${reopened ? ' close-reopened' : ''}${adjusted ? ' close-adjusted' : ''}`}
      data-testid="period-close"
      data-id={close.id}
      data-period={close.period}
      data-scope={close.provider ?? 'all'}
    >
      <article aria-label={`Close of ${title}`}>
        <header className="close-header">
          <h2>
            {close.period} <span className="muted">· {scope}</span>
          </h2>
          <span className={`tag ${reopened ? 'tag-reopened' : 'tag-closed'}`} data-testid="close-status">
            {reopened ? 'reopened' : 'closed'}
          </span>
          {adjusted && (
            <span className="tag tag-revised" data-testid="close-adjusted">
              {close.adjustments.length === 1 ? '1 adjustment' : `${close.adjustments.length} adjustments`}
            </span>
          )}
          {admin && !reopened && (
            <div className="close-actions">
              <ConfirmDestructive
                label="Reopen"
                accessibleName={`Reopen ${title}`}
                title={`Reopen the close of ${title}?`}
                onConfirm={() => void confirmReopen()}
                disabled={reopening.fetching}
              >
                <p>
                  The close stays listed with its frozen lines, marked reopened by you. Restatements after this moment are no
                  longer its adjustments. Closing the month again writes a new close.
                </p>
              </ConfirmDestructive>
            </div>
          )}
        </header>
        {reopening.error && <ErrorNotice error={reopening.error} />}
        <dl className="meta-list">
          <dt>Days</dt>
          <dd>{formatRange(close.firstDay, close.lastDay)}</dd>
          <dt>Closed</dt>
          <dd data-testid="close-closed">
            by <strong>{close.closedBy}</strong> at <time dateTime={close.closedAt}>{formatDateTime(close.closedAt)}</time>
          </dd>
          {reopened && (
            <>
              <dt>Reopened</dt>
              <dd data-testid="close-reopened">
                by <strong>{close.reopenedBy}</strong> at{' '}
                <time dateTime={close.reopenedAt ?? ''}>{formatDateTime(close.reopenedAt ?? '')}</time>
              </dd>
            </>
          )}
        </dl>

        <dl className="stats stats-compact close-totals" aria-label="Frozen totals">
          <StatCard label="Cost at close" testId="close-cost" exact={close.costUsd} value={formatUsd(close.costUsd)} />
          <StatCard
            label="Input tokens"
            testId="close-input"
            exact={String(close.inputTokens)}
            value={formatCount(close.inputTokens)}
          />
          <StatCard
            label="Output tokens"
            testId="close-output"
            exact={String(close.outputTokens)}
            value={formatCount(close.outputTokens)}
          />
          <StatCard
            label="Adjustments since"
            testId="close-adjustments-cost"
            exact={close.adjustmentsCostUsd}
            value={<span className={adjusted ? 'adjusted-value' : undefined}>{formatSignedUsd(close.adjustmentsCostUsd)}</span>}
          />
        </dl>

        <section className="close-adjustments" aria-label={`Adjustments of ${title}`} data-testid="close-adjustments">
          <h3>Adjustments</h3>
          {adjusted ? (
            <>
              <p className="adjustment-note" role="note">
                <span className="tag tag-revised">Adjusted</span> After this close, a provider restated{' '}
                {close.adjustments.length === 1 ? 'a day' : 'days'} of {close.period}: the frozen totals above do not include
                these changes.
              </p>
              <RevisionTable
                revisions={close.adjustments}
                names={connections}
                caption={`Adjustments of the close of ${title}`}
                showDay
              />
            </>
          ) : (
            <p className="muted">No restatement since the close{reopened ? ' (until it was reopened)' : ''}.</p>
          )}
        </section>

        <details className="close-lines">
          <summary>Frozen lines ({formatCount(close.lines.length)})</summary>
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">Lines of the close of {title}</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Project</th>
                  <th scope="col">API key</th>
                  <th scope="col">Model</th>
                  <th scope="col" className="numeric">
                    Input tokens
                  </th>
                  <th scope="col" className="numeric">
                    Output tokens
                  </th>
                  <th scope="col" className="numeric">
                    Requests
                  </th>
                  <th scope="col" className="numeric">
                    Cost
                  </th>
                </tr>
              </thead>
              <tbody>
                {close.lines.map((line) => (
                  <tr key={`${line.provider}|${line.projectId}|${line.apiKeyId}|${line.model}`}>
                    <td>{line.provider}</td>
                    <td title={line.projectId}>{nameOrId(names, 'PROJECT', line.projectId, line.projectId || '—')}</td>
                    <td title={line.apiKeyId}>{nameOrId(names, 'API_KEY', line.apiKeyId, line.apiKeyId || '—')}</td>
                    <td>{line.model || '—'}</td>
                    <td className="numeric">{formatCount(line.inputTokens)}</td>
                    <td className="numeric">{formatCount(line.outputTokens)}</td>
                    <td className="numeric">{formatCount(line.numModelRequests)}</td>
                    <td className="numeric" title={line.costUsd}>
                      {formatUsd(line.costUsd)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </article>
    </li>
  );
}
