import { useEffect, useState } from 'react';
import { type CombinedError, useClient } from 'urql';
import type { ModelPriceFieldsFragment } from '../../gql/graphql';
import { ModelPriceQuery } from './queries';

export interface ModelKey {
  provider: string;
  model: string;
}

interface State {
  /** The price per `provider/model`; null when the model has no price. */
  prices: Map<string, ModelPriceFieldsFragment | null>;
  fetching: boolean;
  error: CombinedError | undefined;
}

export const priceKey = ({ provider, model }: ModelKey) => `${provider}/${model}`;

/**
 * The price of each model on `date`. `modelPrices` answers for one model at a
 * time, so this asks for each in parallel through the client. `models` must be
 * memoised: a new list asks again. `revision` changes after a price change.
 */
export function useModelPrices(models: readonly ModelKey[], date: string, revision: number): State {
  const client = useClient();
  const [state, setState] = useState<State>({ prices: new Map(), fetching: true, error: undefined });

  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, fetching: true }));
    Promise.all(
      models.map((key) =>
        client
          .query(ModelPriceQuery, { ...key, date }, { requestPolicy: revision > 0 ? 'network-only' : 'cache-first' })
          .toPromise(),
      ),
    ).then((results) => {
      if (!current) return;
      setState({
        prices: new Map(models.map((key, index) => [priceKey(key), results[index]?.data?.modelPrices[0] ?? null])),
        fetching: false,
        error: results.find((r) => r.error)?.error,
      });
    });
    return () => {
      current = false;
    };
  }, [client, models, date, revision]);

  return state;
}
