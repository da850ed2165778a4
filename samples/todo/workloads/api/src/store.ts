// The todo list, kept in memory and saved to <folder>/todos.json after every
// change. Saves are atomic (write a temp file in the same folder, fsync, rename)
// and run one at a time, so the file is always either the old or the new list.
import { randomUUID } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";

export type Todo = { id: string; title: string; done: boolean; created_at: string };

export const FILE_NAME = "todos.json";
export const MAX_TITLE_LENGTH = 200;

type FileShape = { version: 1; todos: Todo[] };

export class StoreError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function isTodo(value: unknown): value is Todo {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return typeof t.id === "string" && typeof t.title === "string" && typeof t.done === "boolean" && typeof t.created_at === "string";
}

/** Trims and checks a title; throws StoreError(400) when it is not usable. */
export function validTitle(value: unknown): string {
  if (typeof value !== "string") throw new StoreError(400, "title must be a string");
  const title = value.trim();
  if (title.length === 0) throw new StoreError(400, "title must not be empty");
  if (title.length > MAX_TITLE_LENGTH) throw new StoreError(400, `title is longer than ${MAX_TITLE_LENGTH} characters`);
  return title;
}

export class TodoStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly folder: string, private todos: Todo[]) {}

  get file(): string {
    return join(this.folder, FILE_NAME);
  }

  /** Opens the list in `folder`; a missing file is an empty list, a damaged one is an error (never overwritten). */
  static async open(folder: string): Promise<TodoStore> {
    const file = join(folder, FILE_NAME);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return new TodoStore(folder, []);
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON; fix or move it away`);
    }
    const todos = (parsed as Partial<FileShape> | null)?.todos;
    if (!Array.isArray(todos) || !todos.every(isTodo)) {
      throw new Error(`${file} is not a todo list ({"version":1,"todos":[...]}); fix or move it away`);
    }
    return new TodoStore(folder, todos);
  }

  list(): Todo[] {
    return this.todos.map((t) => ({ ...t }));
  }

  add(titleInput: unknown, maxItems: number): Promise<Todo> {
    return this.change((todos) => {
      const title = validTitle(titleInput);
      if (todos.length >= maxItems) throw new StoreError(409, `the list is full (max_items is ${maxItems})`);
      const todo: Todo = { id: randomUUID(), title, done: false, created_at: new Date().toISOString() };
      return { todos: [...todos, todo], result: todo };
    });
  }

  update(id: string, patch: { done?: unknown; title?: unknown }): Promise<Todo> {
    return this.change((todos) => {
      const index = todos.findIndex((t) => t.id === id);
      if (index < 0) throw new StoreError(404, "no such todo");
      const updated = { ...todos[index]! };
      if (patch.done !== undefined) {
        if (typeof patch.done !== "boolean") throw new StoreError(400, "done must be true or false");
        updated.done = patch.done;
      }
      if (patch.title !== undefined) updated.title = validTitle(patch.title);
      const next = [...todos];
      next[index] = updated;
      return { todos: next, result: updated };
    });
  }

  remove(id: string): Promise<void> {
    return this.change((todos) => {
      if (!todos.some((t) => t.id === id)) throw new StoreError(404, "no such todo");
      return { todos: todos.filter((t) => t.id !== id), result: undefined };
    });
  }

  /** Runs one change at a time: compute the new list, save it, then make it the current one. */
  private change<T>(compute: (todos: Todo[]) => { todos: Todo[]; result: T }): Promise<T> {
    const run = this.queue.then(async () => {
      const { todos, result } = compute(this.todos);
      await this.save(todos);
      this.todos = todos;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async save(todos: Todo[]): Promise<void> {
    const data: FileShape = { version: 1, todos };
    const temp = join(this.folder, `.${FILE_NAME}.${process.pid}.${randomUUID()}.tmp`);
    const handle = await open(temp, "wx", 0o600);
    try {
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}
