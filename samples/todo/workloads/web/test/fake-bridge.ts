// A stand-in for the runtime's secrets bridge, on a real unix socket: HTTP
// POST /rpc, one JSONL request line in, one JSONL answer line out.
export const BRIDGE_CONTENT_TYPE = "application/x-capakit-workload-bridge-jsonl";

export type BridgeCall = { op: string; params: unknown; contentType: string | null };

export function startFakeBridge(socketPath: string, secrets: Record<string, string>) {
  const calls: BridgeCall[] = [];
  const server = Bun.serve({
    unix: socketPath,
    async fetch(request) {
      if (request.method !== "POST" || new URL(request.url).pathname !== "/rpc") {
        return new Response("not found", { status: 404 });
      }
      const lines = (await request.text()).split("\n").filter((l) => l.trim().length > 0);
      const answers = lines.map((line) => {
        const { id, op, params } = JSON.parse(line) as { id: string; op: string; params: { secret_key?: string } };
        calls.push({ op, params, contentType: request.headers.get("content-type") });
        if (request.headers.get("content-type") !== BRIDGE_CONTENT_TYPE) return { id, error: { message: "bad content type" } };
        if (op !== "resolve_secret") return { id, error: { message: `unknown op ${op}` } };
        const name = params?.secret_key ?? "";
        if (!(name in secrets)) return { id, error: { message: `secret ${name} is not granted` } };
        return { id, ok: { value: secrets[name] } };
      });
      return new Response(answers.map((a) => JSON.stringify(a)).join("\n") + "\n", {
        headers: { "content-type": BRIDGE_CONTENT_TYPE },
      });
    },
  });
  return { calls, stop: () => server.stop(true) };
}
