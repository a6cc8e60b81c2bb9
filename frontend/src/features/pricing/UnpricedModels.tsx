import { Empty } from '../../components/Status';
import type { PricingQuery } from '../../gql/graphql';

export function UnpricedModels({ models }: { models: PricingQuery['unpricedModels'] }) {
  return (
    <section className="panel" aria-labelledby="unpriced-title">
      <h2 id="unpriced-title">Unpriced models</h2>
      {models.length === 0 ? (
        <Empty>Every model seen in provider usage has a price.</Empty>
      ) : (
        <>
          <p className="muted">Their cost shows as unknown, never as $0, until they get a price.</p>
          <ul className="tag-list">
            {models.map((m) => (
              <li key={`${m.provider}/${m.model}`} className="tag">
                {m.provider} · {m.model}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
