// Looks through the sandbox's /etc for what the host keeps there: bun read-etc.ts. Escaped when the host's TLS keys
// folder or an account other than root, the sandbox user and nobody shows; the line lists what /etc holds, the
// accounts, the current user's entry and the state of the CA certificate links, for the test to check.
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from "fs";

const escapes: string[] = [];
const seen: string[] = [];
for (const path of ["/etc/ssl/private", "/etc/shadow", "/etc/sudoers", "/etc/ssh"]) {
  try {
    statSync(path);
    escapes.push(`${path} exists`);
  } catch (e: any) {
    seen.push(`${path}: ${e.code}`);
  }
}
seen.push(`etc: ${readdirSync("/etc").sort().join(",")}`);

const accounts = readFileSync("/etc/passwd", "utf8").trim().split("\n").map(l => l.split(":"));
const groups = readFileSync("/etc/group", "utf8").trim().split("\n").map(l => l.split(":")[0]);
seen.push(`passwd: ${accounts.map(a => a[0]).join(",")}`, `group: ${groups.join(",")}`);
const me = accounts.find(a => a[2] === String(process.getuid()));
seen.push(`me: ${me ? `${me[0]} ${me[2]}:${me[3]} home ${me[5]}` : "none"}`);
for (const [name] of accounts.filter(a => !["root", "capakit", "nobody"].includes(a[0]))) escapes.push(`account ${name}`);

let files = 0, links = 0, dangling = 0;
for (const name of readdirSync("/etc/ssl/certs")) {
  const path = `/etc/ssl/certs/${name}`;
  if (lstatSync(path).isSymbolicLink()) {
    links++;
    if (!existsSync(path)) dangling++;
  } else {
    files++;
  }
}
seen.push(`certs: ${files} files, ${links} links, ${dangling} dangling`);

console.log(escapes.length > 0 ? `ESCAPED ${escapes.join("; ")}; ${seen.join("; ")}` : `BLOCKED ${seen.join("; ")}`);
