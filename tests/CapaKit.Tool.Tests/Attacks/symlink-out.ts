// A symlink in the workload root pointing at a host folder, then a read and a write through it:
// bun symlink-out.ts <host folder> <file in it to read> <file name to create>
import { symlinkSync, readFileSync, writeFileSync, rmSync } from "fs";

const [target, readName, writeName] = process.argv.slice(2);
const link = `link-${process.pid}`;
symlinkSync(target, link); // creating the link itself is allowed: it is a file in the root
const outcome: string[] = [];
try {
  console.log(`ESCAPED read through symlink: ${readFileSync(`${link}/${readName}`, "utf8").trim()}`);
  process.exit(0);
} catch (e: any) { outcome.push(`read ${e.code}`); }
try {
  writeFileSync(`${link}/${writeName}`, "through a symlink\n", { flag: "wx" });
  console.log(`ESCAPED wrote through symlink ${target}/${writeName}`);
  process.exit(0);
} catch (e: any) { outcome.push(`write ${e.code}`); }
rmSync(link);
console.log(`BLOCKED ${outcome.join(", ")}`);
