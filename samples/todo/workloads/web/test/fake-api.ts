// A stand-in for the `api` workload: the same routes and answers, kept in
// memory, with the bearer-token check on writes.
export type FakeTodo = { id: string; title: string; done: boolean; created_at: string };

export function fakeApiHandler(token: string, maxItems = 100) {
  const todos: FakeTodo[] = [];
  const seen: Array<{ method: string; path: string; authorization: string | null }> = [];
  let next = 1;
  const handler = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const authorization = request.headers.get("authorization");
    seen.push({ method: request.method, path, authorization });
    if (path === "/todos" && request.method === "GET") return Response.json({ todos, max_items: maxItems });
    if (authorization !== `Bearer ${token}`) return Response.json({ error: "invalid bearer token" }, { status: 401 });
    if (path === "/todos" && request.method === "POST") {
      const { title } = (await request.json()) as { title: string };
      if (typeof title !== "string" || title.trim() === "") return Response.json({ error: "title must not be empty" }, { status: 400 });
      if (todos.length >= maxItems) return Response.json({ error: `the list is full (max_items is ${maxItems})` }, { status: 409 });
      const todo = { id: `id-${next++}`, title: title.trim(), done: false, created_at: new Date(0).toISOString() };
      todos.push(todo);
      return Response.json(todo, { status: 201 });
    }
    const m = /^\/todos\/([^/]+)$/.exec(path);
    const index = m ? todos.findIndex((t) => t.id === m[1]) : -1;
    if (m && index < 0) return Response.json({ error: "no such todo" }, { status: 404 });
    if (m && request.method === "PATCH") {
      const { done } = (await request.json()) as { done: boolean };
      todos[index]!.done = done;
      return Response.json(todos[index]);
    }
    if (m && request.method === "DELETE") {
      todos.splice(index, 1);
      return new Response(null, { status: 204 });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  };
  return { handler, todos, seen };
}
