import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/**
 * The GraphQL multipart request spec
 * (https://github.com/jaydenseric/graphql-multipart-request-spec): the
 * operation as JSON with every file variable set to null, a map from form
 * part names to the variables they fill, then the files. The operations and
 * map parts must come before the files.
 *
 * With a generated document the variables are checked against the
 * operation's (every one but the files).
 */
export function multipartBody<
  TVariables extends Record<string, unknown> = Record<string, unknown>,
  TFile extends keyof TVariables & string = keyof TVariables & string,
>(
  document: TypedDocumentNode<unknown, TVariables> | string,
  variables: Omit<TVariables, TFile>,
  files: Record<TFile, Blob>,
): FormData {
  const fileVariables = Object.keys(files) as TFile[];
  const operations = {
    query: typeof document === 'string' ? document : print(document),
    variables: { ...variables, ...Object.fromEntries(fileVariables.map((name) => [name, null])) },
  };
  const map = Object.fromEntries(fileVariables.map((name, index) => [String(index), [`variables.${name}`]]));
  const body = new FormData();
  body.append('operations', JSON.stringify(operations));
  body.append('map', JSON.stringify(map));
  fileVariables.forEach((name, index) => {
    const file = files[name] as Blob;
    body.append(String(index), file, file instanceof File ? file.name : name);
  });
  return body;
}

export type GraphQLAnswer<T> =
  | { data: T; error?: undefined }
  | { data?: undefined; error: string; unauthenticated: boolean };

/**
 * Reads the server's answer to a request sent without urql: the data, or one
 * human sentence for what went wrong.
 */
export async function readGraphQLAnswer<T>(response: Response): Promise<GraphQLAnswer<T>> {
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] } | null = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: a proxy's error page, a body over the size limit, …
  }
  const errors = body?.errors ?? [];
  if (errors.length > 0) {
    return {
      error: errors.map((e) => e.message).join('; '),
      unauthenticated: errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'),
    };
  }
  if (!response.ok || body?.data == null) {
    return {
      error: `The server answered with HTTP ${response.status}. Try again in a moment.`,
      unauthenticated: response.status === 401,
    };
  }
  return { data: body.data };
}

/** Posts one multipart operation with the signed-in token. */
export async function postMultipart<T>(url: string, token: string, body: FormData): Promise<GraphQLAnswer<T>> {
  let response: Response;
  try {
    // No content-type: the browser sets multipart/form-data with its boundary.
    response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
  } catch {
    return { error: 'The server could not be reached.', unauthenticated: false };
  }
  return readGraphQLAnswer<T>(response);
}
