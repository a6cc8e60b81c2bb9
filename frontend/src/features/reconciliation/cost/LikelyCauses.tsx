import { CAUSES, causeHint, causeLabel } from '../reconciliation';

/** What each likely cause of a difference means. */
export function LikelyCauses() {
  return (
    <details className="small">
      <summary>What the likely causes mean</summary>
      <dl className="plain-list">
        {CAUSES.map((cause) => (
          <div key={cause}>
            <dt>
              <strong>{causeLabel(cause)}</strong>
            </dt>
            <dd className="muted">{causeHint(cause)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
