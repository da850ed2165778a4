import { describe, expect, test } from "bun:test";

import { Notes, NotesError } from "../src/notes.ts";
import { fakeKv } from "./fake-kv.ts";

describe("Notes", () => {
  test("save writes note:<id> to the store and reads it back", async () => {
    const kv = fakeKv();
    const notes = new Notes(kv.fetch);
    expect(await notes.save("n1", "hello")).toBe("hello");
    expect(kv.values.get("note:n1")).toBe("hello");
    expect(kv.requests).toEqual(["PUT /keys/note%3An1", "GET /keys/note%3An1"]);
    expect(await notes.read("n1")).toBe("hello");
    expect(await notes.read("n2")).toBeUndefined();
  });

  test("create picks a fresh id", async () => {
    const notes = new Notes(fakeKv().fetch, () => "abc");
    expect(await notes.create("hi")).toEqual({ id: "abc", text: "hi" });
  });

  test("bad ids and texts are 400, a full store is 413, a failing store 502", async () => {
    const notes = new Notes(fakeKv(1).fetch);
    await expect(notes.save("no spaces", "x")).rejects.toMatchObject({ status: 400 });
    await expect(notes.save("n1", "")).rejects.toMatchObject({ status: 400 });
    await notes.save("n1", "x");
    const full = notes.save("n2", "y");
    await expect(full).rejects.toBeInstanceOf(NotesError);
    await expect(notes.save("n2", "y")).rejects.toMatchObject({ status: 413, message: expect.stringContaining("note_limit") });

    const broken = new Notes(async () => Response.json({ error: "boom" }, { status: 500 }));
    await expect(broken.read("n1")).rejects.toMatchObject({ status: 502, message: "the store answered 500: boom" });
  });
});
