// Entry point of dist/server.js: the language server over the transport named on the command line
// (--node-ipc from the VS Code client, --stdio for other editors, --socket=N, --pipe=NAME); no flag
// means stdio.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const TRANSPORTS = ['--node-ipc', '--stdio', '--socket=', '--pipe='];
const args = process.argv.slice(2);
// Without a flag, stdio: the library then also routes console output to the client's log, not stdout.
if (!args.some((a) => TRANSPORTS.some((t) => a === t || a.startsWith(t)))) process.argv.push('--stdio');

const connection = createConnection(ProposedFeatures.all);

// The last guard: an error that escaped a handler is logged, and the server goes on.
process.on('uncaughtException', (error) => {
  connection.console.error(
    `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
});
process.on('unhandledRejection', (reason) => {
  connection.console.error(
    `internal error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
  );
});

startServer(connection, { distDir: __dirname });
connection.listen();
