import { describe, expect, test } from "bun:test";

import { KvError, KvStore, parseMaxKeys } from "../src/store.ts";

describe("KvStore", () => {
  test("put, get, keys, delete", () => {
    const store = new KvStore(10);
    expect(store.put("b", "2")).toBe(true);
    expect(store.put("a", "1")).toBe(true);
    expect(store.put("a", "one")).toBe(false);
    expect(store.get("a")).toBe("one");
    expect(store.keys()).toEqual(["a", "b"]);
    expect(store.delete("a")).toBe(true);
    expect(store.delete("a")).toBe(false);
    expect(store.get("a")).toBeUndefined();
    expect(store.size).toBe(1);
  });

  test("a new key beyond maxKeys is refused with 413; replacing still works", () => {
    const store = new KvStore(1);
    store.put("a", "1");
    expect(() => store.put("b", "2")).toThrow(new KvError(413, "the store is full: max_keys is 1"));
    expect(store.put("a", "again")).toBe(false);
    store.delete("a");
    expect(store.put("b", "2")).toBe(true);
  });

  test("bad keys are 400", () => {
    const store = new KvStore(1);
    expect(() => store.put("", "x")).toThrow(KvError);
    expect(() => store.put("k".repeat(257), "x")).toThrow(KvError);
  });

  test("parseMaxKeys", () => {
    expect(parseMaxKeys(undefined)).toBe(1000);
    expect(parseMaxKeys("")).toBe(1000);
    expect(parseMaxKeys("5")).toBe(5);
    expect(() => parseMaxKeys("0")).toThrow();
    expect(() => parseMaxKeys("2.5")).toThrow();
    expect(() => parseMaxKeys("many")).toThrow();
  });
});
