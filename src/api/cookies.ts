/**
 * The session cookie's name over plain HTTP (localhost development). Browsers refuse a
 * `__Host-` cookie that is not Secure, and a Secure cookie set over plain HTTP, so there it
 * keeps its unprefixed name.
 */
export const sessionCookie = 'sc_session';

/**
 * The session cookie's name over HTTPS: `__Host-` makes the browser insist on Secure, Path=/ and
 * no Domain, so a sibling subdomain (another tenant's, or a hijacked one) cannot plant or
 * overwrite it.
 */
export const hostSessionCookie = `__Host-${sessionCookie}`;

/** The value of one cookie of a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    if (part.slice(0, equals).trim() === name) {
      const value = part.slice(equals + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The session secret a Cookie header carries: the `__Host-` cookie first, else the plain-HTTP one. */
export function sessionCookieValue(header: string | undefined): string | undefined {
  return cookieValue(header, hostSessionCookie) ?? cookieValue(header, sessionCookie);
}

/**
 * The Set-Cookie value of a session: HttpOnly, SameSite=Lax, for the whole host, `maxAgeSeconds`
 * long (0 clears it). `secure` (the request came over HTTPS, or SESSION_COOKIE_SECURE=true) makes
 * it `__Host-`-prefixed and Secure.
 */
export function sessionCookieHeader(secret: string, maxAgeSeconds: number, secure: boolean): string {
  const name = secure ? hostSessionCookie : sessionCookie;
  return `${name}=${encodeURIComponent(secret)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * The Set-Cookie values that end a session in the browser: the cookie of this connection's kind
 * and, over HTTPS, also a plain one left from before the service was put behind HTTPS.
 */
export function clearedSessionCookies(secure: boolean): string[] {
  const cleared = [sessionCookieHeader('', 0, secure)];
  if (secure) cleared.push(`${sessionCookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure`);
  return cleared;
}
