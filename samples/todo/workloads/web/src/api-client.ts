// Client of the `api` workload, reached through the connection the runtime
// gives us (CAPAKIT_CONNECTED_WORKLOADS). Reads are open; writes carry
// `Authorization: Bearer <api_token>`, the token resolved from this workload's
// own bridge for each write and dropped right after.

export type Todo = { id: string; title: string; done: boolean; created_at: string };
export type TodoList = { todos: Todo[]; max_items: number };
export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const ID = /^[A-Za-z0-9-]{1,64}$/;

export function checkId(id: unknown): string {
  if (typeof id !== "string" || !ID.test(id)) throw new ApiError(400, "bad todo id");
  return id;
}

export class ApiClient {
  constructor(private readonly fetcher: Fetcher, private readonly resolveToken: () => Promise<string>) {}

  async list(): Promise<TodoList> {
    const response = await this.send("/todos", { method: "GET", headers: { accept: "application/json" } });
    return (await response.json()) as TodoList;
  }

  async add(title: string): Promise<Todo> {
    return (await (await this.write("POST", "/todos", { title })).json()) as Todo;
  }

  async setDone(id: string, done: boolean): Promise<Todo> {
    return (await (await this.write("PATCH", `/todos/${checkId(id)}`, { done })).json()) as Todo;
  }

  async remove(id: string): Promise<void> {
    await this.write("DELETE", `/todos/${checkId(id)}`);
  }

  private async write(method: string, path: string, body?: unknown): Promise<Response> {
    let token: string;
    try {
      token = await this.resolveToken();
    } catch (error) {
      console.error(`[web] cannot resolve api_token: ${(error as Error).message}`);
      throw new ApiError(503, "cannot get the API token right now");
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    return this.send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetcher(path, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      console.error(`[web] api request failed: ${(error as Error).message}`);
      throw new ApiError(502, "the todo API is not reachable");
    }
    if (response.ok) return response;
    let message = `the todo API answered HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: unknown };
      if (typeof body.error === "string") message = body.error;
    } catch {
      // keep the generic message
    }
    if (response.status === 401) {
      // our token was refused: a setup problem, not the user's fault
      throw new ApiError(502, "the todo API refused the web workload's token");
    }
    throw new ApiError(response.status, message);
  }
}
