// The host's environment: the test sets CAPAKIT_HOSTILE_SECRET in the tool's environment. Looked for in our
// environment, /proc/self/environ and every visible process's environ and cmdline. (The name is spelled in
// pieces so that it appears in no command line of ours.)
import { readdirSync, readFileSync } from "fs";

const name = ["CAPAKIT", "HOSTILE", "SECRET"].join("_");
const places: [string, string][] = [["process.env", Object.entries(process.env).map(([k, v]) => `${k}=${v}`).join("\0")]];
for (const pid of readdirSync("/proc").filter(n => /^\d+$/.test(n)).concat("self")) {
  for (const file of ["environ", "cmdline"]) {
    try { places.push([`/proc/${pid}/${file}`, readFileSync(`/proc/${pid}/${file}`, "latin1")]); } catch {}
  }
}
const hit = places.find(([, text]) => text.includes(name));
if (hit) {
  console.log(`ESCAPED ${hit[0]}: ${hit[1].split("\0").filter(v => v.includes(name)).join(" ")}`);
} else {
  console.log(`BLOCKED ${name} is in none of ${places.map(([where]) => where).join(", ")}`);
}
