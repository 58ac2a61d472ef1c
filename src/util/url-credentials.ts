// `scheme://user:password@host` as given on a command line or in a config: the login taken out of the URL, so that it
// is sent as a login and never printed or logged with the URL.

export interface SplitUrl {
  /** The URL without its userinfo (a trailing slash kept as given). */
  url: string;
  /** Present when the URL held a login. */
  login?: { username: string; password: string };
}

/** The URL and the login it held, or null when `url` is no URL. */
export function splitUrlCredentials(url: string): SplitUrl | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.username && !parsed.password) return { url };
  const login = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : ''), login };
}
