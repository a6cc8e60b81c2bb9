import { LIKELY_CAUSES } from '../reconciliation';

/** What each likely cause of a difference means. */
export function LikelyCauses() {
  return (
    <details className="small">
      <summary>What the likely causes mean</summary>
      <dl className="plain-list">
        {Object.entries(LIKELY_CAUSES).map(([key, cause]) => (
          <div key={key}>
            <dt>
              <strong>{cause.label}</strong> <code>{key}</code>
            </dt>
            <dd className="muted">{cause.hint}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
