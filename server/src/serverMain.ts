/**
 * `node dist/server.js --node-ipc | --stdio`: the language server process the extension starts. The
 * process entry lives apart from server.ts so that bundling server.ts into another entry (the CLI's
 * `bpf-iter lsp`) never starts a second server on the same stdio.
 */
import { isMainThread } from 'worker_threads';
import { startServer } from './server';

if (isMainThread) startServer(process.argv.includes('--node-ipc') ? 'node-ipc' : 'stdio');
