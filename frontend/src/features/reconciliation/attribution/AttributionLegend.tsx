import { ATTRIBUTION_CATEGORIES } from './attribution';

/** What the chart's line and each stacked category mean. */
export function AttributionLegend() {
  return (
    <dl className="plain-list small">
      <div>
        <dt>
          <span className="swatch" style={{ background: '#1d4ed8' }} aria-hidden="true" /> <strong>Coverage</strong>
        </dt>
        <dd className="muted">Matched tokens as a share of the provider's, per day (right axis).</dd>
      </div>
      {ATTRIBUTION_CATEGORIES.map((c) => (
        <div key={c.key}>
          <dt>
            <span className="swatch" style={{ background: c.color }} aria-hidden="true" /> <strong>{c.label}</strong>
          </dt>
          <dd className="muted">{c.hint}</dd>
        </div>
      ))}
    </dl>
  );
}
