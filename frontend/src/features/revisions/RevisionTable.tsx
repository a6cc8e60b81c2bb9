import { formatDateTime, formatSignedUsd } from '../../lib/format';
import { bucketChanges, type ConnectionNames, connectionName, formatSignedCount, type Revision } from './revisions';

/**
 * Revisions as a table: which connection and usage type, which rows, the
 * token and cost deltas (new minus old) and when. Each figure carries its
 * exact value in `data-value`.
 */
export function RevisionTable({
  revisions,
  names,
  caption,
  showDay = false,
}: {
  revisions: readonly Revision[];
  names: ConnectionNames;
  caption: string;
  showDay?: boolean;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table revision-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {showDay && <th scope="col">Day</th>}
            <th scope="col">Connection</th>
            <th scope="col">Usage type</th>
            <th scope="col">Rows</th>
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
            <th scope="col">Revised at</th>
          </tr>
        </thead>
        <tbody>
          {revisions.map((r) => (
            <tr key={r.id} data-testid="revision" data-id={r.id} data-date={r.date}>
              {showDay && <td data-field="date">{r.date}</td>}
              <td data-field="connection">{connectionName(r, names)}</td>
              <td data-field="usageType">{r.usageType}</td>
              <td data-field="rows" data-added={r.bucketsAdded} data-changed={r.bucketsChanged} data-removed={r.bucketsRemoved}>
                {bucketChanges(r)}
              </td>
              <td className="numeric" data-field="inputTokensDelta" data-value={r.inputTokensDelta}>
                {formatSignedCount(r.inputTokensDelta)}
              </td>
              <td className="numeric" data-field="outputTokensDelta" data-value={r.outputTokensDelta}>
                {formatSignedCount(r.outputTokensDelta)}
              </td>
              <td className="numeric" data-field="numModelRequestsDelta" data-value={r.numModelRequestsDelta}>
                {formatSignedCount(r.numModelRequestsDelta)}
              </td>
              <td className="numeric" data-field="costUsdDelta" data-value={r.costUsdDelta} title={r.costUsdDelta}>
                {formatSignedUsd(r.costUsdDelta)}
              </td>
              <td data-field="revisedAt" data-value={r.revisedAt}>
                <time dateTime={r.revisedAt}>{formatDateTime(r.revisedAt)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
