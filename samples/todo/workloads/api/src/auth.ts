import { createHash, timingSafeEqual } from "node:crypto";

export type AuthResult = { ok: true } | { ok: false; status: 401 | 503; error: string };

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | null): string | null {
  if (header === null) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time comparison (hashes first, so lengths do not leak either). */
export function sameToken(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Checks a request's bearer token against the secret, which `resolveToken`
 * fetches from the bridge each time (so a changed secret takes effect at once
 * and the value is held only for the duration of the check).
 */
export async function authorize(request: Request, resolveToken: () => Promise<string>, onBridgeError: (error: Error) => void): Promise<AuthResult> {
  const presented = bearerToken(request.headers.get("authorization"));
  if (presented === null) return { ok: false, status: 401, error: "missing bearer token" };
  let expected: string;
  try {
    expected = await resolveToken();
  } catch (error) {
    onBridgeError(error as Error);
    return { ok: false, status: 503, error: "cannot check the token right now" };
  }
  if (expected.length === 0) {
    onBridgeError(new Error("the api_token secret is empty"));
    return { ok: false, status: 503, error: "cannot check the token right now" };
  }
  return sameToken(presented, expected) ? { ok: true } : { ok: false, status: 401, error: "invalid bearer token" };
}
