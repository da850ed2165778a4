// The workloads of the ingress-attack tests (Ingress/IngressAttackTests), all running this file. After its
// ingress is up, a workload replaces the ingress socket's name when a test asks it to:
//
//   POST /arm?link=P       in.sock becomes a symbolic link to P (a host socket, a sibling's secrets bridge)
//   POST /arm?bridge=1     its own secrets bridge (br.sock) is renamed onto in.sock
//   GET  /whoami           {workload}
//   GET  /bridge           {bridge}: this workload's CAPAKIT_RUNNER_BRIDGE_BIND path (what an attacker would guess)
//   GET  /call?to=W&secret=S   a bridge request resolving S, sent over the declared connection to W:
//                          {status, body} or {error}
//
// faker does its part before it listens: it renames its own bridge onto in.sock, then waits for a file `release`
// in its root before it removes that and listens itself.
import { existsSync, renameSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";

const name = process.env.CAPAKIT_WORKLOAD_MID ?? "unknown";

function unixPath(bind: string | undefined): string {
  if (!bind?.startsWith("unix:")) throw new Error(`expected a unix: bind, got ${bind}`);
  return bind.slice("unix:".length);
}

const ingress = unixPath(process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND);
const bridge = unixPath(process.env.CAPAKIT_RUNNER_BRIDGE_BIND);
const BRIDGE_CONTENT_TYPE = "application/x-capakit-workload-bridge-jsonl";

if (name === "faker") {
  renameSync(bridge, ingress);
  console.log(`[${name}] moved its secrets bridge onto its ingress name`);
  while (!existsSync("release")) {
    await Bun.sleep(50);
  }
  unlinkSync(ingress);
}

function arm(url: URL): string {
  const link = url.searchParams.get("link");
  if (link) {
    // Made beside the ingress and renamed onto it: the name is never missing in between.
    const planted = join(dirname(ingress), "planted");
    try {
      unlinkSync(planted);
    } catch {
      // not there
    }
    symlinkSync(link, planted);
    renameSync(planted, ingress);
    return `in.sock -> ${link}`;
  }
  renameSync(bridge, ingress);
  return "br.sock renamed onto in.sock";
}

async function call(to: string, secret: string): Promise<Response> {
  const entries = JSON.parse(process.env.CAPAKIT_CONNECTED_WORKLOADS ?? "[]") as { workloadMid: string; bind: string }[];
  const entry = entries.find((e) => e.workloadMid === to);
  if (!entry) return Response.json({ error: `no connection to ${to}` }, { status: 404 });
  try {
    const response = await fetch("http://localhost/rpc", {
      method: "POST",
      headers: { "content-type": BRIDGE_CONTENT_TYPE },
      body: `${JSON.stringify({ id: "1", op: "resolve_secret", params: { secret_mid: secret } })}\n`,
      unix: unixPath(entry.bind),
      signal: AbortSignal.timeout(10_000),
    } as RequestInit);
    return Response.json({ status: response.status, body: await response.text() });
  } catch (error) {
    return Response.json({ error: String((error as Error).message) });
  }
}

const server = Bun.serve({
  unix: ingress,
  async fetch(request) {
    const url = new URL(request.url);
    console.log(`[${name}] ${request.method} ${url.pathname}`);
    switch (url.pathname) {
      case "/whoami":
        return Response.json({ workload: name });
      case "/bridge":
        return Response.json({ bridge });
      case "/arm": {
        const done = arm(url);
        console.log(`[${name}] armed: ${done}`);
        // The gateway must not reuse this connection: the next request opens the ingress by its name again.
        return new Response(`armed: ${done}\n`, { headers: { connection: "close" } });
      }
      case "/call":
        return call(url.searchParams.get("to") ?? "", url.searchParams.get("secret") ?? "");
      default:
        return Response.json({ error: "not found" }, { status: 404 });
    }
  },
});
console.log(`[${name}] listening on unix:${ingress}`);

const stop = () => {
  server.stop(true);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
