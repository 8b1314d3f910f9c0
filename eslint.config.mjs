// ESLint flat config: typescript-eslint with type information, and the layering between src/ folders.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// ----------------------------------------------------------------------------------------- layering
// Each restriction is a piece of a no-restricted-imports option; a folder's rule merges its pieces.
// (Flat config replaces a rule's options rather than merging them, so each folder gets one rule.)

const vscode = {
  paths: [{ name: 'vscode', message: 'Only the VS Code extension code may import vscode.' }],
};

const languageServer = {
  patterns: [
    {
      group: ['vscode-languageserver', 'vscode-languageserver*', 'vscode-languageserver*/**'],
      message: 'The analysis core is protocol-free: only src/server speaks LSP.',
    },
  ],
};

const nodeMessage =
  'This code also runs in a browser or web worker: no Node built-ins (the host passes data in).';
const nodeBuiltins = {
  paths: builtinModules.map((name) => ({ name, message: nodeMessage })),
  patterns: [{ group: ['node:*'], message: nodeMessage }],
};

function restrict(...pieces) {
  return {
    paths: pieces.flatMap((p) => p.paths ?? []),
    patterns: pieces.flatMap((p) => p.patterns ?? []),
  };
}

function layer(files, ...pieces) {
  return {
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', restrict(...pieces)] },
  };
}

// src/protocol/** imports nothing from the other src folders. A relative import leaves the folder when
// it climbs one level more than the file's depth below src/protocol (and does not come straight back
// into protocol/): one config per depth, since the rule cannot see the importing file's path.
const PROTOCOL_MAX_DEPTH = 6;
const protocolLayers = Array.from({ length: PROTOCOL_MAX_DEPTH }, (_, depth) =>
  layer([`src/protocol/${'*/'.repeat(depth)}*.ts`], {
    patterns: [
      {
        regex: `^(\\.\\./){${depth}}\\.\\.(/(?!protocol(/|$))|$)`,
        message: 'src/protocol is shared by every side: it imports nothing from the other src folders.',
      },
    ],
  }),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'scratch/', '.cache/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      // The typed variant also covers `import x = require()` and `export … from`.
      'no-restricted-imports': 'off',
    },
  },
  {
    // Node scripts (the e2e runners and the code-server launcher); page.evaluate() bodies run in the browser.
    files: ['scripts/**/*.mjs', 'test/e2e/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'fetch', 'URL']
          .map((name) => [name, 'readonly'])
          .concat([['document', 'readonly']]),
      ),
    },
  },
  layer(['src/analysis/**/*.ts', 'src/simulator/**/*.ts'], vscode, languageServer, nodeBuiltins),
  ...protocolLayers,
  layer(['src/server/**/*.ts'], vscode),
  // The VS Code client is thin: the analysis reaches it only through the language server.
  layer(['src/extension/**/*.ts'], {
    patterns: [
      {
        group: [
          '**/analysis',
          '**/analysis/**',
          '**/simulator',
          '**/simulator/**',
          '**/server/**',
          '**/cli/**',
        ],
        message:
          'src/extension talks to the analysis through the language server (src/protocol), never directly.',
      },
      {
        group: ['vscode-languageserver', 'vscode-languageserver/**'],
        message: 'The client uses vscode-languageclient.',
      },
    ],
  }),
  layer(['src/cli/**/*.ts'], vscode),
  layer(['src/webview/**/*.ts'], vscode, nodeBuiltins),
);
