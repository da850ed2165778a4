// The key-value HTTP API (the gateway strips the exposed path /kv, so the workload sees these paths):
//   GET    /keys        → 200 {keys: [...], count, max_keys}
//   GET    /keys/<k>    → 200 the value (text/plain)          | 404 {error}
//   PUT    /keys/<k>    → 201 {key, created: true} (new key) or 200 {key, created: false}; body = the value
//                                                            | 400 bad key | 413 store full or value too large
//   DELETE /keys/<k>    → 204                                  | 404 {error}
//   GET    /healthz     → 200 {ok: true}
// Keys are one URL path segment, percent-decoded (so `a%2Fb` is the key `a/b`). Errors are JSON {error}.
import { KvError, MAX_VALUE_BYTES, type KvStore } from "./store.ts";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function error(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: message }, headers);
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new KvError(400, "the key is not valid percent-encoding");
  }
}

async function readValue(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_VALUE_BYTES) throw new KvError(413, `the value is larger than ${MAX_VALUE_BYTES} bytes`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_VALUE_BYTES) throw new KvError(413, `the value is larger than ${MAX_VALUE_BYTES} bytes`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new KvError(400, "the value is not UTF-8 text");
  }
}

export function createApp(store: KvStore): (request: Request) => Promise<Response> {
  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") return json(200, { ok: true });

    if (pathname === "/keys" || pathname === "/keys/") {
      if (request.method !== "GET") return error(405, "method not allowed", { allow: "GET" });
      return json(200, { keys: store.keys(), count: store.size, max_keys: store.maxKeys });
    }

    if (!pathname.startsWith("/keys/")) return error(404, `no route for ${pathname}`);
    const raw = pathname.slice("/keys/".length);
    if (raw.includes("/")) return error(400, "a key is one path segment; percent-encode '/' as %2F");
    const key = decodeKey(raw);

    switch (request.method) {
      case "GET": {
        const value = store.get(key);
        if (value === undefined) return error(404, `no key ${JSON.stringify(key)}`);
        return new Response(value, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
      }
      case "PUT": {
        const value = await readValue(request);
        const created = store.put(key, value);
        return json(created ? 201 : 200, { key, created });
      }
      case "DELETE":
        if (!store.delete(key)) return error(404, `no key ${JSON.stringify(key)}`);
        return new Response(null, { status: 204 });
      default:
        return error(405, "method not allowed", { allow: "GET, PUT, DELETE" });
    }
  }

  return async (request) => {
    try {
      return await handle(request);
    } catch (e) {
      if (e instanceof KvError) return error(e.status, e.message);
      console.error(`[kvstore] ${request.method} ${request.url}: ${(e as Error).stack ?? e}`);
      return error(500, "internal error");
    }
  };
}
