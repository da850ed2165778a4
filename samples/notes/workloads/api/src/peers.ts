// CAPAKIT_CONNECTED_WORKLOADS: a JSON array of {workloadKey, endpoint, protocol, bind}, one entry per endpoint of
// each workload this one may call; `bind` is `unix:<socket>` where plain HTTP reaches that peer.

export type ConnectedWorkload = { workloadKey: string; endpoint: string; protocol: string; bind: string };

/** Sends a request for `path` (e.g. `/keys/a`) to a peer. */
export type PeerFetch = (path: string, init?: RequestInit) => Promise<Response>;

export function parseConnectedWorkloads(value: string | undefined): ConnectedWorkload[] {
  if (!value) return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new Error("CAPAKIT_CONNECTED_WORKLOADS is not a JSON array");
  return parsed as ConnectedWorkload[];
}

/** The socket path of the peer this workload knows as `name` (its http endpoint when it has several). */
export function peerSocket(peers: ConnectedWorkload[], name: string): string {
  const entries = peers.filter((p) => p.workloadKey === name);
  const entry = entries.find((p) => p.protocol === "http") ?? entries[0];
  if (!entry) throw new Error(`no connection to '${name}' in CAPAKIT_CONNECTED_WORKLOADS; is it under connections: in capability.yml?`);
  if (!entry.bind.startsWith("unix:")) throw new Error(`unsupported bind for '${name}': ${entry.bind}`);
  return entry.bind.slice("unix:".length);
}

/** Plain HTTP to the peer over its unix socket (Bun's fetch `unix` option). */
export function unixPeerFetch(name: string, socket: string): PeerFetch {
  return (path, init) => fetch(`http://${name}${path}`, { ...init, unix: socket });
}
