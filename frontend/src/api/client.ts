import { cacheExchange, Client, type CombinedError, fetchExchange, mapExchange } from 'urql';

/** The server's code for a missing, invalid or expired token. */
export function isUnauthenticated(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions.code === 'UNAUTHENTICATED');
}

/**
 * One client per signed-in token, so a new sign-in never sees the previous
 * user's cached answers.
 */
export function createClient(token: string, onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    // GET /graphql is the GraphQL playground; the API answers POST.
    preferGetMethod: false,
    // Show what is cached at once and refresh it: ingestion may have run since.
    requestPolicy: 'cache-and-network',
  });
}

/** A human sentence for an error, without urql's "[GraphQL]" prefixes. */
export function errorMessage(error: CombinedError): string {
  if (error.networkError) {
    // The message can be a whole HTML error page; the status says enough.
    const status = (error.response as Response | undefined)?.status;
    return status ? `The server answered with HTTP ${status}. Try again in a moment.` : 'The server could not be reached.';
  }
  return error.graphQLErrors.map((e) => e.message).join('; ') || error.message;
}
