// Name resolution: the system resolver (no resolv.conf, no hosts file, no network) and a DNS server the test
// runs on the host's loopback: bun dns.ts <udp port>. Escaped when any name resolves.
import { existsSync } from "fs";
import { promises as dns } from "dns";

const port = Number(process.argv[2]);
const outcome: string[] = [`resolv.conf ${existsSync("/etc/resolv.conf") ? "present" : "absent"}`, `hosts ${existsSync("/etc/hosts") ? "present" : "absent"}`];
const attempt = async (what: string, run: () => Promise<unknown>) => {
  try {
    const answer = await Promise.race([run(), Bun.sleep(5000).then(() => { throw Object.assign(new Error(), { code: "no answer in 5 s" }); })]);
    console.log(`ESCAPED ${what} resolved: ${JSON.stringify(answer)}`);
    process.exit(0);
  } catch (e: any) {
    outcome.push(`${what}: ${e.code ?? e.message}`);
  }
};
await attempt("lookup(localhost)", () => dns.lookup("localhost"));
await attempt("lookup(registry.npmjs.org)", () => dns.lookup("registry.npmjs.org"));
const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
resolver.setServers([`127.0.0.1:${port}`]);
await attempt(`resolve4 via 127.0.0.1:${port}`, () => resolver.resolve4("capakit-hostile.example"));
console.log(`BLOCKED ${outcome.join("; ")}`);
process.exit(0); // pending timers would keep Bun alive
