import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer } from '../analysis';

async function main(): Promise<void> {
  const a = await createAnalyzer({
    runtime: readFileSync(join(__dirname, 'web-tree-sitter.wasm')),
    grammar: readFileSync(join(__dirname, 'tree-sitter-c.wasm')),
  });
  console.log(JSON.stringify(a.analyze(readFileSync(process.argv[2]!, 'utf8'))));
}
void main();
