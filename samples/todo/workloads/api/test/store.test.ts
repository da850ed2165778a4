import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { StoreError, TodoStore, validTitle } from "../src/store.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "capakit-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("TodoStore", () => {
  test("starts empty and saves every change to todos.json", async () => {
    const store = await TodoStore.open(dir);
    expect(store.list()).toEqual([]);
    const a = await store.add("  buy milk ", 10);
    expect(a).toMatchObject({ title: "buy milk", done: false });
    const b = await store.add("write docs", 10);
    await store.update(a.id, { done: true });
    await store.remove(b.id);

    const saved = JSON.parse(readFileSync(join(dir, "todos.json"), "utf8"));
    expect(saved).toEqual({ version: 1, todos: [{ ...a, done: true }] });
    expect(readdirSync(dir)).toEqual(["todos.json"]); // no temp files left behind

    const reopened = await TodoStore.open(dir);
    expect(reopened.list()).toEqual([{ ...a, done: true }]);
  });

  test("enforces max items, titles and ids", async () => {
    const store = await TodoStore.open(dir);
    await store.add("one", 1);
    await expect(store.add("two", 1)).rejects.toMatchObject({ status: 409 });
    await expect(store.add("", 5)).rejects.toMatchObject({ status: 400 });
    await expect(store.add(42, 5)).rejects.toMatchObject({ status: 400 });
    await expect(store.update("missing", { done: true })).rejects.toMatchObject({ status: 404 });
    await expect(store.update(store.list()[0]!.id, { done: "yes" })).rejects.toMatchObject({ status: 400 });
    await expect(store.remove("missing")).rejects.toMatchObject({ status: 404 });
    expect(store.list()).toHaveLength(1);
  });

  test("concurrent adds are serialized and all saved", async () => {
    const store = await TodoStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.add(`item ${i}`, 100)));
    const saved = JSON.parse(readFileSync(join(dir, "todos.json"), "utf8"));
    expect(saved.todos).toHaveLength(20);
  });

  test("a failed save leaves the list unchanged", async () => {
    const store = await TodoStore.open(dir);
    await store.add("kept", 10);
    rmSync(dir, { recursive: true, force: true }); // the folder disappears: the save must fail
    await expect(store.add("lost", 10)).rejects.toThrow();
    expect(store.list().map((t) => t.title)).toEqual(["kept"]);
  });

  test("refuses a damaged file instead of overwriting it", async () => {
    writeFileSync(join(dir, "todos.json"), "{oops");
    await expect(TodoStore.open(dir)).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(dir, "todos.json"), JSON.stringify({ version: 1, todos: [{ id: 1 }] }));
    await expect(TodoStore.open(dir)).rejects.toThrow(/not a todo list/);
  });
});

test("validTitle", () => {
  expect(validTitle(" a ")).toBe("a");
  expect(() => validTitle("x".repeat(201))).toThrow(StoreError);
  expect(() => validTitle(null)).toThrow(/must be a string/);
});
