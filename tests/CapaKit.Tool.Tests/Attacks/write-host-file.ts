// Creates a file at each given path: bun write-host-file.ts <path>... (no mkdir: the attacker wants the host's folder).
import { writeFileSync } from "fs";

const failures: string[] = [];
for (const path of process.argv.slice(2)) {
  try {
    writeFileSync(path, "written from inside the sandbox\n", { flag: "wx" });
    console.log(`ESCAPED wrote ${path}`);
    process.exit(0);
  } catch (e: any) {
    failures.push(`${path}: ${e.code ?? e.message}`);
  }
}
console.log(`BLOCKED ${failures.join("; ")}`);
