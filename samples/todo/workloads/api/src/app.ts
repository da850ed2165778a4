// The todo REST API:
//   GET    /todos            → 200 {todos: [...], max_items}
//   POST   /todos {title}    → 201 todo          (bearer token)
//   PATCH  /todos/:id {done?, title?} → 200 todo (bearer token)
//   DELETE /todos/:id        → 204               (bearer token)
//   GET    /healthz          → 200 {ok: true}
// Every route is also answered under /api (the path the Kit exposes it at), so it
// works whether or not the gateway strips the exposed prefix.
import { authorize } from "./auth.ts";
import { StoreError, type TodoStore } from "./store.ts";

export type ApiDeps = {
  store: TodoStore;
  maxItems: number;
  /** Resolves the api_token secret (over the bridge). */
  resolveToken: () => Promise<string>;
  log?: (line: string) => void;
};

const MAX_BODY_BYTES = 64 * 1024;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function error(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: message }, headers);
}

function methodNotAllowed(allow: string): Response {
  return error(405, "method not allowed", { allow });
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw new StoreError(415, "send a JSON body (content-type: application/json)");
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new StoreError(413, "body too large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoreError(400, "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new StoreError(400, "body must be a JSON object");
  return parsed as Record<string, unknown>;
}

/** Strips the exposed prefix `/api` if present. */
export function routePath(pathname: string): string {
  if (pathname === "/api") return "/";
  return pathname.startsWith("/api/") ? pathname.slice("/api".length) : pathname;
}

export function createApi(deps: ApiDeps): (request: Request) => Promise<Response> {
  const log = deps.log ?? ((line: string) => console.error(line));

  async function guarded(request: Request, write: () => Promise<Response>): Promise<Response> {
    const auth = await authorize(request, deps.resolveToken, (e) => log(`[api] cannot resolve api_token: ${e.message}`));
    if (!auth.ok) {
      const headers: Record<string, string> = auth.status === 401 ? { "www-authenticate": 'Bearer realm="todo"' } : {};
      return error(auth.status, auth.error, headers);
    }
    return write();
  }

  async function handle(request: Request): Promise<Response> {
    const path = routePath(new URL(request.url).pathname);
    const method = request.method;

    if (path === "/healthz") {
      return method === "GET" || method === "HEAD" ? json(200, { ok: true }) : methodNotAllowed("GET, HEAD");
    }

    if (path === "/todos") {
      if (method === "GET" || method === "HEAD") return json(200, { todos: deps.store.list(), max_items: deps.maxItems });
      if (method === "POST") {
        return guarded(request, async () => {
          const body = await readJson(request);
          return json(201, await deps.store.add(body.title, deps.maxItems));
        });
      }
      return methodNotAllowed("GET, HEAD, POST");
    }

    const match = /^\/todos\/([A-Za-z0-9-]{1,64})$/.exec(path);
    if (match) {
      const id = match[1]!;
      if (method === "PATCH") {
        return guarded(request, async () => {
          const body = await readJson(request);
          return json(200, await deps.store.update(id, { done: body.done, title: body.title }));
        });
      }
      if (method === "DELETE") {
        return guarded(request, async () => {
          await deps.store.remove(id);
          return new Response(null, { status: 204 });
        });
      }
      return methodNotAllowed("PATCH, DELETE");
    }

    return error(404, "not found");
  }

  return async (request) => {
    try {
      return await handle(request);
    } catch (e) {
      if (e instanceof StoreError) return error(e.status, e.message);
      log(`[api] ${request.method} failed: ${(e as Error).message}`);
      return error(500, "internal error");
    }
  };
}
