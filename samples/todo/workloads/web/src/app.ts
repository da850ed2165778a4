// The web front end:
//   GET  /         the list, with forms
//   POST /add      title=...          → api POST /todos
//   POST /toggle   id=...&done=true|false → api PATCH /todos/:id
//   POST /delete   id=...             → api DELETE /todos/:id
//   GET  /healthz
// POSTs answer 303 back to the page. They are refused when they come from
// another site (Sec-Fetch-Site / Origin), so a web page elsewhere cannot make
// the browser write to the list through this front end.
import { ApiError, checkId, type ApiClient } from "./api-client.ts";
import { renderPage } from "./html.ts";

export type WebDeps = { api: ApiClient; title: string };

const MAX_FORM_BYTES = 16 * 1024;

export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True when a POST may have come from our own page (or from a non-browser client). */
export function isSameSitePost(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  try {
    const url = new URL(origin);
    const host = request.headers.get("host");
    if (host !== null && url.host === host) return true;
    const hostname = url.hostname.toLowerCase();
    return LOOPBACK.has(hostname) || hostname.endsWith(".localhost");
  } catch {
    return false; // "null" and other opaque origins
  }
}

function html(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS } });
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS, ...headers } });
}

export function createWeb(deps: WebDeps): (request: Request) => Promise<Response> {
  async function page(status: number, error?: string): Promise<Response> {
    try {
      const list = await deps.api.list();
      return html(status, renderPage({ title: deps.title, todos: list.todos, maxItems: list.max_items, error }));
    } catch (e) {
      const failure = e instanceof ApiError ? e : new ApiError(500, "internal error");
      return html(status >= 400 ? status : failure.status, renderPage({ title: deps.title, todos: [], error: error ?? failure.message }));
    }
  }

  async function form(request: Request): Promise<URLSearchParams> {
    const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") throw new ApiError(415, "send an urlencoded form");
    if (Number(request.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) throw new ApiError(413, "form too large");
    const body = await request.text();
    if (body.length > MAX_FORM_BYTES) throw new ApiError(413, "form too large");
    return new URLSearchParams(body);
  }

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const method = request.method;

    if (path === "/healthz") return method === "GET" || method === "HEAD" ? text(200, "ok") : text(405, "method not allowed", { allow: "GET, HEAD" });

    if (path === "/" || path === "/index.html") {
      return method === "GET" || method === "HEAD" ? page(200) : text(405, "method not allowed", { allow: "GET, HEAD" });
    }

    const action = path.slice(1);
    if (action !== "add" && action !== "toggle" && action !== "delete") return text(404, "not found");
    if (method !== "POST") return text(405, "method not allowed", { allow: "POST" });
    if (!isSameSitePost(request)) return text(403, "cross-site form posts are not accepted");

    try {
      const data = await form(request);
      if (action === "add") {
        const title = data.get("title");
        if (typeof title !== "string") throw new ApiError(400, "title is missing");
        await deps.api.add(title);
      } else if (action === "toggle") {
        await deps.api.setDone(checkId(data.get("id")), data.get("done") === "true");
      } else {
        await deps.api.remove(checkId(data.get("id")));
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return page(e.status, e.message);
    }
    return new Response(null, { status: 303, headers: { location: "./", ...SECURITY_HEADERS } });
  }

  return async (request) => {
    try {
      return await handle(request);
    } catch (e) {
      console.error(`[web] ${request.method} failed: ${(e as Error).message}`);
      return text(500, "internal error");
    }
  };
}
