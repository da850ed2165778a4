// A read-only mount: reading works, creating, appending and chmod fail: bun read-only-mount.ts <folder> <existing file>
import { readFileSync, writeFileSync, appendFileSync, chmodSync } from "fs";

const [folder, existing] = process.argv.slice(2);
let text: string;
try { text = readFileSync(`${folder}/${existing}`, "utf8").trim(); } catch (e: any) { console.log(`ERROR cannot read the mount: ${e.code}`); process.exit(1); }
const outcome: string[] = [];
for (const [what, run] of [
  ["create", () => writeFileSync(`${folder}/created-${process.pid}`, "x")],
  ["append", () => appendFileSync(`${folder}/${existing}`, "appended")],
  ["chmod", () => chmodSync(`${folder}/${existing}`, 0o777)],
] as const) {
  try { run(); console.log(`ESCAPED ${what} in the read-only mount`); process.exit(0); } catch (e: any) { outcome.push(`${what} ${e.code}`); }
}
console.log(`BLOCKED read "${text}" but ${outcome.join(", ")}`);
