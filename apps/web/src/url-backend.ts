/** The backend a `?backend=` parameter asks for: absent, one of the page's choices, or refused with the reason. */
export type UrlBackend = { kind: 'absent' } | { kind: 'ok'; name: string } | { kind: 'refused'; message: string };

/** Checks `?backend=` against the backend picker's options, so the URL cannot choose what the page does not offer. */
export function backendFromUrl(params: URLSearchParams, allowed: readonly string[]): UrlBackend {
  const wanted = params.get('backend');
  if (wanted === null) return { kind: 'absent' };
  if (allowed.includes(wanted)) return { kind: 'ok', name: wanted };
  return {
    kind: 'refused',
    message: `unknown backend '${wanted}' in the URL (?backend=${wanted}): use one of ${allowed.join(', ')}, e.g. ?backend=${allowed[0]}`,
  };
}
