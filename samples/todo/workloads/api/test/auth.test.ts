import { expect, test } from "bun:test";

import { authorize, bearerToken, sameToken } from "../src/auth.ts";

function req(authorization?: string): Request {
  return new Request("http://x/todos", { method: "POST", headers: authorization ? { authorization } : {} });
}

test("bearerToken", () => {
  expect(bearerToken("Bearer abc")).toBe("abc");
  expect(bearerToken("bearer   abc ")).toBe("abc");
  expect(bearerToken("Basic abc")).toBeNull();
  expect(bearerToken("Bearer a b")).toBeNull();
  expect(bearerToken(null)).toBeNull();
});

test("sameToken", () => {
  expect(sameToken("abc", "abc")).toBe(true);
  expect(sameToken("abc", "abd")).toBe(false);
  expect(sameToken("abc", "abcd")).toBe(false);
});

test("authorize", async () => {
  const errors: string[] = [];
  const onError = (e: Error) => errors.push(e.message);
  const token = async () => "t0ken";
  expect(await authorize(req("Bearer t0ken"), token, onError)).toEqual({ ok: true });
  expect(await authorize(req(), token, onError)).toMatchObject({ ok: false, status: 401 });
  expect(await authorize(req("Bearer nope"), token, onError)).toMatchObject({ ok: false, status: 401 });
  expect(await authorize(req("Bearer x"), async () => { throw new Error("bridge down"); }, onError)).toMatchObject({ ok: false, status: 503 });
  expect(await authorize(req("Bearer x"), async () => "", onError)).toMatchObject({ ok: false, status: 503 });
  expect(errors).toEqual(["bridge down", "the api_token secret is empty"]);
  // no token at all: the bridge is not even asked
  let asked = false;
  await authorize(req(), async () => { asked = true; return "t"; }, onError);
  expect(asked).toBe(false);
});
