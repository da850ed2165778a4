// Reads host files (or lists host folders) the sandbox must not see: bun read-host-file.ts <path>...
// Escaped when any of them can be read; the line then carries what was read, so the test can look for it.
import { readFileSync, readdirSync, statSync } from "fs";

const failures: string[] = [];
for (const path of process.argv.slice(2)) {
  try {
    const text = statSync(path).isDirectory() ? readdirSync(path).join(",") : readFileSync(path, "utf8");
    console.log(`ESCAPED read ${path}: ${text.replace(/\s+/g, " ").slice(0, 300)}`);
    process.exit(0);
  } catch (e: any) {
    failures.push(`${path}: ${e.code ?? e.message}`);
  }
}
console.log(`BLOCKED ${failures.join("; ")}`);
