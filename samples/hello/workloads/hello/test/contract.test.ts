import { describe, expect, test } from "bun:test";

import { ingressBind, listenHostname, parseBind } from "../src/contract.ts";

describe("parseBind", () => {
  test("unix socket path", () => {
    expect(parseBind("unix:/tmp/capakit/hello.sock")).toEqual({ kind: "unix", path: "/tmp/capakit/hello.sock" });
  });

  test("tcp host and port", () => {
    expect(parseBind("tcp:127.0.0.1:4100")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 4100 });
  });

  test("tcp IPv6 host in brackets", () => {
    const bind = parseBind("tcp:[::1]:8080");
    expect(bind).toEqual({ kind: "tcp", host: "[::1]", port: 8080 });
    expect(listenHostname(bind as { host: string })).toBe("::1");
  });

  test("rejects bad binds", () => {
    expect(() => parseBind("unix:")).toThrow(/invalid unix bind/);
    expect(() => parseBind("tcp:4100")).toThrow(/invalid tcp bind/);
    expect(() => parseBind("tcp:localhost:0")).toThrow(/invalid tcp port/);
    expect(() => parseBind("tcp:localhost:http")).toThrow(/invalid tcp port/);
    expect(() => parseBind("tcp:localhost:70000")).toThrow(/invalid tcp port/);
    expect(() => parseBind("/tmp/x.sock")).toThrow(/unsupported bind/);
  });
});

test("ingressBind reads CAPAKIT_WORKLOAD_INGRESS_BIND", () => {
  expect(ingressBind({ CAPAKIT_WORKLOAD_INGRESS_BIND: "unix:/x.sock" })).toEqual({ kind: "unix", path: "/x.sock" });
  expect(() => ingressBind({})).toThrow(/CAPAKIT_WORKLOAD_INGRESS_BIND is not set/);
});
