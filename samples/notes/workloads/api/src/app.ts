// The api workload's routes (the gateway exposes http at / and mcp at /mcp, so these are the paths it sees):
//   POST /notes {text}   → 201 {id, text}        | 400 bad body | 413 too long or the store is full
//   GET  /notes/<id>     → 200 {id, text}        | 404
//   POST /mcp            → MCP (tools save_note, read_note)
//   GET  /healthz        → 200 {ok: true}
// Errors are JSON {error}; a store failure is 502.
import { handleMcp } from "./mcp.ts";
import { NotesError, type Notes } from "./notes.ts";

const MAX_BODY_BYTES = 64 * 1024;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

function error(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: message }, headers);
}

async function readJson(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") throw new NotesError(415, "send a JSON body (content-type: application/json)");
  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) throw new NotesError(413, "body too large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new NotesError(400, "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new NotesError(400, "body must be a JSON object");
  return parsed as Record<string, unknown>;
}

export function createApp(notes: Notes, log: (line: string) => void = (line) => console.error(line)): (request: Request) => Promise<Response> {
  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/healthz") return json(200, { ok: true });
    if (pathname === "/mcp") return handleMcp(notes, request);

    if (pathname === "/notes") {
      if (request.method !== "POST") return error(405, "method not allowed", { allow: "POST" });
      const body = await readJson(request);
      const note = await notes.create(body.text);
      return json(201, note, { location: `/notes/${note.id}` });
    }

    if (pathname.startsWith("/notes/")) {
      if (request.method !== "GET") return error(405, "method not allowed", { allow: "GET" });
      let id: string;
      try {
        id = decodeURIComponent(pathname.slice("/notes/".length));
      } catch {
        return error(400, "the note id is not valid percent-encoding");
      }
      const text = await notes.read(id);
      if (text === undefined) return error(404, `no note ${id}`);
      return json(200, { id, text });
    }

    return error(404, `no route for ${pathname}`);
  }

  return async (request) => {
    try {
      return await handle(request);
    } catch (e) {
      if (e instanceof NotesError) return error(e.status, e.message);
      log(`[api] ${request.method} ${request.url}: ${(e as Error).stack ?? e}`);
      return error(502, `the store is unreachable: ${(e as Error).message}`);
    }
  };
}
