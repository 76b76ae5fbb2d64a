/** The session cookie's name. */
export const sessionCookie = 'sc_session';

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

/**
 * The Set-Cookie value of a session: HttpOnly, SameSite=Lax, for the whole host, `maxAgeSeconds`
 * long (0 clears it), and Secure when the service is reached over HTTPS (SESSION_COOKIE_SECURE).
 */
export function sessionCookieHeader(secret: string, maxAgeSeconds: number, secure: boolean): string {
  return `${sessionCookie}=${encodeURIComponent(secret)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}
