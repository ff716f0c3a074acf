'use strict';
/*
 * Sandpool's Node.js driver. It runs inside a session's sandbox, keeps the JavaScript state between
 * executions in one vm context, and serves one connection at a time on a Unix socket, so that the
 * server can reconnect after a restart. Frames are a 4-byte big-endian length followed by UTF-8 JSON.
 *
 * Requests:  {"op": "exec", "code": str, "timeout": seconds, "maxOutput": bytes}  |  {"op": "ping"}
 * Replies:   {"op": "hello", ...} on connect, {"op": "result", "status": "Success"|"Failure",
 *             "stdout", "stderr", "result", "timedOut"} per exec, {"op": "pong"} per ping.
 *
 * Usage: node sandpool_driver.js <socket path> [modules to preload...]
 */
const net = require('net');
const fs = require('fs');
const util = require('util');
const vm = require('vm');
const { Console } = require('console');
const { createRequire } = require('module');

const DATA_DIR = '/mnt/data';
const TIMED_OUT = Symbol('timed out');
const MAX_TIMER_MS = 2147483647; // setTimeout fires at once beyond this
// import() in a cell resolves from the cwd, /mnt/data, as the main script would (Node >= 20.12);
// older Nodes have no such loader for vm scripts, and import() there fails with a clear error.
const DYNAMIC_IMPORT = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
// Host globals a vm context lacks; the context has its own Object, Array, Promise, JSON, Math, ...
const HOST_GLOBALS = ['Buffer', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
    'clearImmediate', 'queueMicrotask', 'structuredClone', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder',
    'AbortController', 'AbortSignal', 'EventTarget', 'Event', 'atob', 'btoa', 'performance', 'crypto', 'fetch',
    'Headers', 'Request', 'Response', 'FormData', 'Blob', 'MessageChannel', 'BroadcastChannel'];

function main() {
  const [socketPath, ...preload] = process.argv.slice(2);
  const userRequire = createRequire(DATA_DIR + '/');
  for (const name of preload) {
    userRequire(name);
  }
  const output = { current: null }; // the running execution's captures, if any
  routeOutput(output);
  guardProcess(output);
  const session = new Session(userRequire, output);
  try {
    fs.unlinkSync(socketPath);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const server = net.createServer({ pauseOnConnect: true });
  serveOneAtATime(server, session);
  server.listen(socketPath);
}

/** Like the Python driver's accept loop: a connection that arrives while another is served waits. */
function serveOneAtATime(server, session) {
  const waiting = [];
  let busy = false;
  const next = () => {
    if (busy || waiting.length === 0) return;
    busy = true;
    const conn = waiting.shift();
    serve(conn, session).catch(() => {}).then(() => {
      conn.destroy();
      busy = false;
      next();
    });
  };
  server.on('connection', (conn) => {
    conn.on('error', () => {}); // a vanished peer shows up as the end of its frames
    waiting.push(conn);
    next();
  });
}

async function serve(conn, session) {
  const reader = new FrameReader(conn);
  send(conn, { op: 'hello', pid: process.pid, node: process.version });
  for (let frame; (frame = await reader.next()) !== null;) {
    const request = JSON.parse(frame.toString('utf8')); // a malformed frame ends the connection
    send(conn, request && request.op === 'exec' ? await session.execute(request) : { op: 'pong' });
  }
}

function send(conn, message) {
  if (conn.destroyed) return; // the peer left during the execution; the next one gets a hello
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  conn.write(Buffer.concat([header, body]));
}

/** Splits a socket's bytes into frames, however the chunks fall; next() yields null at the end. */
class FrameReader {
  constructor(conn) {
    this.chunks = [];
    this.size = 0;
    this.needed = 4; // bytes to have before it is worth joining the chunks
    this.frames = [];
    this.ended = false;
    this.wake = () => {};
    conn.on('data', (chunk) => this.add(chunk));
    for (const event of ['end', 'close', 'error']) {
      conn.on(event, () => { this.ended = true; this.wake(); });
    }
    conn.resume();
  }

  add(chunk) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size < this.needed) return; // join only when a frame is complete: linear in its size
    let buffer = Buffer.concat(this.chunks, this.size);
    while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
      const end = 4 + buffer.readUInt32BE(0);
      this.frames.push(buffer.subarray(4, end));
      buffer = buffer.subarray(end);
    }
    this.chunks = buffer.length ? [buffer] : [];
    this.size = buffer.length;
    this.needed = buffer.length >= 4 ? 4 + buffer.readUInt32BE(0) : 4;
    this.wake();
  }

  async next() {
    while (this.frames.length === 0 && !this.ended) {
      await new Promise((resolve) => { this.wake = resolve; });
    }
    return this.frames.length ? this.frames.shift() : null;
  }
}

/** One stream's output of one execution, kept up to the cap and counted beyond it. */
class Capture {
  constructor(cap) {
    this.cap = cap;
    this.chunks = [];
    this.kept = 0;
    this.dropped = 0;
  }

  write(data) {
    const room = this.cap - this.kept;
    if (room > 0) {
      const part = data.length > room ? data.subarray(0, room) : data;
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, data.length - Math.max(room, 0));
  }

  text(extra = '') {
    let text = Buffer.concat(this.chunks, this.kept).toString('utf8');
    if (this.dropped > 0) text += `\n[output truncated: more than ${this.cap} bytes]\n`;
    return text + extra;
  }
}

/**
 * Node cannot point fds 1 and 2 elsewhere, so process.stdout/stderr.write go to the running
 * execution's capture for good (console.log ends there too); between executions output is dropped.
 * Child processes writing to an inherited fd 1 or 2 are not captured.
 */
function routeOutput(output) {
  for (const name of ['stdout', 'stderr']) {
    process[name].write = function write(chunk, encoding, callback) {
      if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
      const data = toBuffer(chunk, encoding);
      if (output.current) output.current[name].write(data);
      if (typeof callback === 'function') process.nextTick(callback);
      return true;
    };
  }
}

function toBuffer(chunk, encoding) {
  if (typeof chunk === 'string') return Buffer.from(chunk, Buffer.isEncoding(encoding) ? encoding : 'utf8');
  if (ArrayBuffer.isView(chunk)) return Buffer.from(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  throw new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
}

/** User code must not end the driver: no process.exit, and stray async errors are only reported. */
function guardProcess(output) {
  process.exit = function exit() {
    throw new Error('process.exit() is not available in a session');
  };
  const report = (error) => {
    if (output.current) output.current.stderr.write(Buffer.from('Uncaught ' + formatError(error)));
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
}

class Session {
  constructor(userRequire, output) {
    this.output = output;
    this.count = 0;
    const sandbox = { require: userRequire, process, __dirname: DATA_DIR,
      console: new Console({ stdout: process.stdout, stderr: process.stderr, colorMode: false }) };
    for (const name of HOST_GLOBALS) {
      if (globalThis[name] !== undefined) sandbox[name] = globalThis[name];
    }
    this.context = vm.createContext(sandbox, { name: 'sandpool session' });
    // Also triggers the loader's one-time ExperimentalWarning now, while no execution captures it.
    this.compile('globalThis.global = globalThis', 'setup').runInContext(this.context);
  }

  compile(code, filename) {
    return new vm.Script(code, DYNAMIC_IMPORT ? { filename, importModuleDynamically: DYNAMIC_IMPORT } : { filename });
  }

  async execute(request) {
    const timeout = Number(request.timeout ?? 60);
    const cap = Math.max(0, Number(request.maxOutput ?? 1 << 20));
    const capture = { stdout: new Capture(cap), stderr: new Capture(cap) };
    let outcome;
    this.output.current = capture;
    try {
      const value = await this.run(String(request.code ?? ''), timeout);
      outcome = { status: 'Success', result: toJsonValue(value), error: '', timedOut: false };
    } catch (error) {
      outcome = error === TIMED_OUT
        ? { status: 'Failure', result: null, timedOut: true,
            error: `TimeoutError: execution timed out after ${timeout} seconds and was interrupted\n` }
        : { status: 'Failure', result: null, error: formatError(error), timedOut: false };
    } finally {
      this.output.current = null;
    }
    return { op: 'result', status: outcome.status, stdout: capture.stdout.text(),
      stderr: capture.stderr.text(capped(outcome.error, cap)), result: cappedResult(outcome.result, cap),
      timedOut: outcome.timedOut };
  }

  /** The cell's completion value; a promise (an async IIFE) is awaited within the same timeout. */
  async run(code, timeout) {
    const deadline = Date.now() + timeout * 1000;
    const script = this.compile(code, `cell${++this.count}`);
    // V8 interrupts a runaway loop itself and leaves the context usable; it takes whole milliseconds.
    const ms = Math.min(0xffffffff, Math.max(1, Math.ceil(timeout * 1000)));
    let value;
    try {
      value = script.runInContext(this.context, { timeout: ms, displayErrors: false });
    } catch (error) {
      const ours = error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
        && error.message === `Script execution timed out after ${ms}ms`; // not a nested vm's
      throw ours ? TIMED_OUT : error;
    }
    return util.types.isPromise(value) ? settleBefore(value, deadline) : value;
  }
}

/** Waits for a promise until the deadline. A promise cannot be cancelled: it goes on unobserved. */
function settleBefore(promise, deadline) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(TIMED_OUT), Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
    // The host's then: the promise comes from the context, and its own then may be replaced.
    Promise.prototype.then.call(promise,
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

/** The error as the user should see it: its stack without the driver's frames below the cell. */
function formatError(error) {
  let text;
  if (error !== null && typeof error === 'object' && typeof error.stack === 'string') {
    const lines = error.stack.split('\n');
    const ours = lines.findIndex((line) => /^\s+at /.test(line)
      && (line.includes('node:vm:') || line.includes(__filename + ':')));
    text = (ours >= 0 ? lines.slice(0, ours) : lines).join('\n');
  } else if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
    text = util.inspect(error); // String() would say only [object Object]
  } else {
    text = String(error);
  }
  return text + '\n';
}

/** The last expression's value as Azure reports it: JSON when it is JSON, else util.inspect. */
/** The server refuses an answer much larger than the output cap; a huge value says so instead. */
function cappedResult(result, cap) {
  const size = Buffer.byteLength(JSON.stringify(result ?? null), 'utf8');
  return size > cap ? `[result truncated: its JSON is ${size} bytes, more than ${cap}]` : result;
}

function capped(text, cap) {
  return text.length > cap ? text.slice(0, cap) + `\n[output truncated: more than ${cap} bytes]\n` : text;
}

function toJsonValue(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value) || isPlainObject(value)) {
    try {
      return JSON.parse(JSON.stringify(value, strictJson));
    } catch (error) {
      // a cycle, a BigInt, or a value JSON would drop or change: show it as it is
    }
  }
  return util.inspect(value);
}

/** JSON.stringify replacer that refuses instead of silently dropping or nulling a value. */
function strictJson(key, value) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) || isPlainObject(value)) return value;
  throw new TypeError('not JSON');
}

/** An object literal of any realm (the cell's objects come from the context's Object). */
function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || (Object.getPrototypeOf(proto) === null
    && Object.prototype.toString.call(value) === '[object Object]');
}

main();
