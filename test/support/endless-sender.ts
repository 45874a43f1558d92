/**
 * A client that sends a request's headers and then an endless chunked body, 16 KiB every 5 ms, reading the answer as
 * it comes, until the server hangs up. It runs in a process of its own, as a real sender does: in the server's own
 * process a write queued behind the server's hang-up would fail before the answer, already received, was read.
 */
import { spawn } from 'node:child_process';

export interface EndlessSending {
  /** Everything the server sent before it hung up. */
  readonly answer: string;
  /** Body bytes written in all. */
  readonly sent: number;
  /** Body bytes written when the first byte of the answer came: at most what the server read before it answered. */
  readonly sentWhenAnswered: number | null;
}

const CLIENT = `
const { connect } = require('node:net');
const [port, head] = process.argv.slice(1);
const socket = connect(Number(port), '127.0.0.1');
const chunk = Buffer.alloc(16 * 1024, 'a');
let answer = '';
let sent = 0;
let sentWhenAnswered = null;
socket.on('data', (data) => {
  if (sentWhenAnswered === null) sentWhenAnswered = sent;
  answer += data.toString('latin1');
});
socket.on('error', () => undefined);
socket.on('close', () => process.stdout.write(JSON.stringify({ answer, sent, sentWhenAnswered })));
socket.on('connect', async () => {
  socket.write(head);
  while (!socket.destroyed && sent < 64 * 1024 * 1024) {
    socket.write(chunk.length.toString(16) + '\\r\\n');
    socket.write(chunk);
    socket.write('\\r\\n');
    sent += chunk.length;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
`;

/** Sends `head` (request line and headers, ending in an empty line) to 127.0.0.1:`port`, then the endless body. */
export function sendEndlessBody(port: number, head: string): Promise<EndlessSending> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, String(port), head], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as EndlessSending) : reject(new Error(`the client exited with ${code}`))));
  });
}
