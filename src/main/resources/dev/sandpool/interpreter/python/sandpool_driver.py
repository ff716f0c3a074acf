"""Sandpool's Python driver. It runs inside a session's sandbox, keeps the interpreter state between
executions, and serves one connection at a time on a Unix socket, so that the server can reconnect
after a restart. Frames are a 4-byte big-endian length followed by UTF-8 JSON.

Requests:  {"op": "exec", "code": str, "timeout": seconds, "maxOutput": bytes}  |  {"op": "ping"}
Replies:   {"op": "hello", ...} on connect, {"op": "result", "status": "Success"|"Failure",
            "stdout", "stderr", "result", "timedOut"} per exec, {"op": "pong"} per ping.
"""
# Only built-in modules here: the pure-Python ones (socket, signal, ast, json, linecache) pull in
# enum and re, about 12 ms of every session's start for nothing the driver needs of them.
import _ast
import _json
import _signal
import _socket
import io
import math
import os
import sys

DRIVER_FILE = os.path.abspath(__file__)
CAPTURE_DIR = "/tmp"


def main():
    DeferredSite()
    socket_path = sys.argv[1]
    for module in sys.argv[2:]:
        __import__(module)
    server = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    driver = Driver(server)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    server.bind(socket_path)
    server.listen(1)
    # From here on nothing of ours is written to the console: the warm-up, like every execution,
    # leaves fds 1 and 2 on /dev/null, and executions capture them.
    driver.warm_up()
    while True:
        fd, _ = server._accept()
        conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd)
        try:
            driver.serve(conn)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()


def read_frame(conn):
    header = read_exactly(conn, 4)
    if header is None:
        return None
    length = int.from_bytes(header, "big")
    body = read_exactly(conn, length)
    if body is None:
        return None
    return json_loads(body.decode("utf-8"))


def read_exactly(conn, n):
    chunks = []
    while n > 0:
        chunk = conn.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_frame(conn, message):
    text = json_dumps(message)
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        # lone surrogates (bytes decoded with surrogateescape, halves of a pair) are not UTF-8:
        # pairs are joined, the rest become U+FFFD
        body = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")
    conn.sendall(len(body).to_bytes(4, "big") + body)


class JsonContext:
    """What json's C scanner reads of a decoder: json.loads, but for strict JSON only."""
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name):
        raise ValueError("not JSON: " + name)


JSON_SCAN = _json.make_scanner(JsonContext())


def json_loads(text):
    try:
        value, end = JSON_SCAN(text, 0)
    except StopIteration as error:
        raise ValueError("not JSON at %s" % error.value) from None
    if end != len(text):
        raise ValueError("not JSON at %d" % end)
    return value


def unserializable(value):
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


# json.dumps(value, ensure_ascii=False, allow_nan=False), compact: json's C encoder, made once
# (without markers it keeps no state between calls; a cycle still ends in an error)
JSON_ENCODE = _json.make_encoder({}, unserializable, _json.encode_basestring, None, ":", ",", False, False, False)


def json_dumps(value):
    return "".join(JSON_ENCODE(value, 0))


class CappedWriter(io.TextIOBase):
    """sys.stdout / sys.stderr during an execution: writes through to the captured fd, and stops
    writing (while counting) once the cap is reached, so that a flood cannot fill the sandbox's /tmp."""

    def __init__(self, fd, cap, name):
        self.fd = fd
        self.cap = cap
        self.written = 0
        self.dropped = 0
        self.name = name

    def writable(self):
        return True

    @property
    def encoding(self):
        return "utf-8"

    def isatty(self):
        return False

    def fileno(self):
        return self.fd

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        data = text.encode("utf-8", "surrogateescape")
        room = self.cap - self.written
        if room > 0:
            chunk = data[:room]
            view = memoryview(chunk)
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
            self.written += len(chunk)
        self.dropped += max(0, len(data) - max(room, 0))
        return len(text)

    def flush(self):
        pass


def nameless_file():
    """A file in /tmp with no name: O_TMPFILE, or where the filesystem lacks it (gVisor's tmpfs) a
    file of a fresh random name, unlinked at once."""
    try:
        return os.open(CAPTURE_DIR, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:
        path = os.path.join(CAPTURE_DIR, ".sandpool-capture-" + os.urandom(8).hex())
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        os.unlink(path)
        return fd


class Capture:
    """Points fds 1 and 2 at files in /tmp for one execution, so that output of child processes is
    captured too, in order with print(). The two files are nameless and opened once: no
    path for session code to tamper with, and no open, unlink or stat per execution. Session code
    may close the driver's fds and get the same numbers for files of its own, so every use checks
    that an fd is still the file it was; one that is not is left alone and opened anew."""

    def __init__(self):
        self.devnull = self.opened(lambda: os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC))
        self.fds = {name: self.opened(nameless_file) for name in ("stdout", "stderr")}
        self.writers = {}

    @staticmethod
    def opened(opener):
        fd = opener()
        st = os.fstat(fd)
        return fd, st.st_dev, st.st_ino, opener

    @staticmethod
    def size(entry):
        """The file's size, or None when its fd no longer refers to it."""
        try:
            st = os.fstat(entry[0])
        except OSError:
            return None
        return st.st_size if (st.st_dev, st.st_ino) == entry[1:3] else None

    def start(self, cap):
        self.cap = cap
        for fd, name in ((1, "stdout"), (2, "stderr")):
            entry = self.fds[name]
            size = self.size(entry)
            if size is None:
                entry = self.fds[name] = self.opened(entry[3])
            elif size:  # written to between executions (a child left running)
                os.ftruncate(entry[0], 0)
            os.lseek(entry[0], 0, os.SEEK_SET)
            os.dup2(entry[0], fd)
        self.writers = {"stdout": CappedWriter(1, cap, "<stdout>"), "stderr": CappedWriter(2, cap, "<stderr>")}
        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.writers["stdout"], self.writers["stderr"]
        return self

    def stop(self):
        sys.stdout, sys.stderr = self.saved
        if self.size(self.devnull) is None:
            self.devnull = self.opened(self.devnull[3])
        os.dup2(self.devnull[0], 1)
        os.dup2(self.devnull[0], 2)

    def text(self, name, extra=""):
        entry = self.fds[name]
        size, data = self.size(entry) or 0, b""
        if size:
            data = os.pread(entry[0], self.cap, 0)
            os.ftruncate(entry[0], 0)  # the output leaves /tmp (session memory) once read
        text = data.decode("utf-8", "replace")
        if size > self.cap or self.writers[name].dropped:
            text += "\n[output truncated: more than %d bytes]\n" % self.cap
        return text + extra


class DeferredSite:
    """What site does at start, with the costly part put off. The interpreter runs with -S: site's
    .pth import lines (setuptools' distutils shim, namespace-package shims that import importlib.util,
    ...) and sitecustomize were about 11 ms of every session's start, and code that imports nothing
    from outside the standard library never needs them. sys.path, help(), exit() and the rest are
    set here as site would set them; the .pth import lines and sitecustomize run, in site's order,
    just before the first import of a module from outside the standard library (or of distutils,
    which setuptools' line replaces)."""

    def __init__(self):
        import site
        self.site = site
        self.waiting = []
        driver_dir = os.path.dirname(DRIVER_FILE)
        if driver_dir in sys.path:
            sys.path.remove(driver_dir)
        known = set(sys.path)
        for sitedir in site.getsitepackages():
            if os.path.isdir(sitedir) and sitedir not in known:
                sys.path.append(sitedir)
                known.add(sitedir)
                self.read_pth_files(sitedir, known)
        sys.path.append(driver_dir)  # for the matplotlib backend module
        site.setquit()
        site.setcopyright()
        site.sethelper()
        sys.meta_path.insert(0, self)

    def read_pth_files(self, sitedir, known):
        """Path lines are added now, as site.addpackage would; files with import lines wait."""
        for name in sorted(n for n in os.listdir(sitedir) if n.endswith(".pth") and not n.startswith(".")):
            try:
                with io.open_code(os.path.join(sitedir, name)) as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()
            except OSError:
                continue
            for line in lines:
                if line.startswith(("import ", "import\t")):
                    if (sitedir, name) not in self.waiting:
                        self.waiting.append((sitedir, name))
                elif line.strip() and not line.startswith("#"):
                    path = os.path.abspath(os.path.join(sitedir, line.rstrip()))
                    if path not in known and os.path.exists(path):
                        sys.path.append(path)
                        known.add(path)

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if self.site is None or (top in sys.stdlib_module_names and top != "distutils"):
            return None
        site, self.site = self.site, None  # it stays on sys.meta_path: removing it mid-search skips a finder
        # site's own code runs the lines, so they see what they expect (sitedir in the caller's frame)
        # and a failing one is reported as site reports it; path lines are already on sys.path.
        known = {site.makepath(p)[1] for p in sys.path}
        for sitedir, name in self.waiting:
            site.addpackage(sitedir, name, known)
        site.execsitecustomize()
        return None


class CellSources:
    """Every cell's source as a linecache entry, so that tracebacks and warnings quote its lines.
    linecache (which imports tokenize and re) is not part of the driver's start: entries wait here,
    and this finder, first on sys.meta_path, hands them over as linecache is first imported,
    whoever imports it."""

    def __init__(self):
        self.pending = {}
        sys.meta_path.insert(0, self)

    def add(self, filename, code):
        linecache = sys.modules.get("linecache")
        entry = (len(code), None, code.splitlines(True), filename)
        (self.pending if linecache is None else linecache.cache)[filename] = entry

    def forget(self, filename):
        self.pending.pop(filename, None)
        if "linecache" in sys.modules:
            sys.modules["linecache"].cache.pop(filename, None)

    def find_spec(self, name, path=None, target=None):
        if name != "linecache" or self not in sys.meta_path:
            return None
        sys.meta_path.remove(self)
        from importlib.machinery import PathFinder
        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                module.cache.update(self.pending)
                self.pending.clear()
            spec.loader.exec_module = exec_module
        return spec


class Driver:
    def __init__(self, server):
        self.pid = os.getpid()
        self.channels = [server]
        # A process forked by user code must not hold the channel: it would keep the server from
        # seeing the driver die, and could write into the protocol.
        os.register_at_fork(after_in_child=self.drop_channels)
        self.module = type(sys)("__main__")
        self.module.__dict__["__builtins__"] = __builtins__
        sys.modules["__main__"] = self.module
        self.namespace = self.module.__dict__
        self.count = 0
        self.sources = CellSources()
        self.capture = Capture()
        sys.stdin = io.StringIO("")

    def warm_up(self):
        """One throwaway execution before the session is ready, so that the first real one does not
        pay for the first run of this file's code paths; it leaves no trace in the user's state."""
        self.execute({"code": "None", "timeout": 60, "maxOutput": 1024})
        self.count = 0
        self.sources.forget("<cell 1>")

    def drop_channels(self):
        for channel in self.channels:
            try:
                os.close(channel.fileno())
            except OSError:
                pass

    def serve(self, conn):
        self.channels = [self.channels[0], conn]
        write_frame(conn, {"op": "hello", "pid": os.getpid(), "python": sys.version.split()[0]})
        while True:
            request = read_frame(conn)
            if request is None:
                return
            if request.get("op") == "exec":
                write_frame(conn, self.execute(request))
            elif request.get("op") == "shell":
                write_frame(conn, run_shell(request))
            else:
                write_frame(conn, {"op": "pong"})

    def execute(self, request):
        self.count += 1
        timeout = float(request.get("timeout", 60))
        cap = int(request.get("maxOutput", 1 << 20))
        state = {"done": False, "fired": False}

        # an interval timer, not a timer thread: no thread to start per execution, none needed
        # under the pids limit. The alarm sends SIGINT, so the cell sees Ctrl-C (as in Jupyter) and
        # may catch or ignore it; the server's deadline ends a cell that does.
        def interrupt(signum, frame):
            if not state["done"]:
                state["fired"] = True
                os.kill(os.getpid(), _signal.SIGINT)

        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        _signal.signal(_signal.SIGALRM, interrupt)
        outcome = {"status": "Success", "result": "", "error": ""}
        capture = self.capture.start(cap)
        try:
            try:
                try:
                    _signal.setitimer(_signal.ITIMER_REAL, timeout)
                    value = self.run_cell(request.get("code", ""))
                    outcome["result"] = self.figure_or(value)
                finally:
                    state["done"] = True
                    _signal.setitimer(_signal.ITIMER_REAL, 0)
            except KeyboardInterrupt:
                outcome = {"status": "Failure", "result": None, "error": ""}
            except BaseException as error:  # the user's exception, SystemExit included
                outcome = {"status": "Failure", "result": None, "error": self.format_error(error)}
            self.close_figures()
        finally:
            capture.stop()
        if state["fired"]:
            outcome = {"status": "Failure", "result": None,
                       "error": "TimeoutError: execution timed out after %g seconds and was interrupted\n" % timeout}
        return {"op": "result", "status": outcome["status"], "result": capped_result(outcome["result"], cap),
                "stdout": capture.text("stdout"), "stderr": capture.text("stderr", capped(outcome["error"], cap)),
                "timedOut": state["fired"]}

    def run_cell(self, code):
        try:
            return self.run_cell_unguarded(code)
        finally:
            if os.getpid() != self.pid:
                os._exit(0)  # a child forked by the cell ends here, not in the driver's loop

    def run_cell_unguarded(self, code):
        filename = "<cell %d>" % self.count
        self.sources.add(filename, code)
        tree = compile(code, filename, "exec", _ast.PyCF_ONLY_AST)  # ast.parse
        last = None
        if tree.body and isinstance(tree.body[-1], _ast.Expr):
            last = _ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), self.namespace)
        if last is not None:
            return eval(compile(last, filename, "eval"), self.namespace)
        return None

    def format_error(self, error):
        import traceback  # only on a failure: not part of every session's start
        if isinstance(error, SyntaxError):
            return "".join(traceback.format_exception_only(type(error), error))
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == DRIVER_FILE:
            tb = tb.tb_next
        return "".join(traceback.format_exception(type(error), error, tb))

    def figure_or(self, value):
        images = self.pending_images()
        if images:
            return {"type": "image", "format": "png", "base64_data": images[0]}
        return to_json_value(value)

    def pending_images(self):
        backend = sys.modules.get("sandpool_mpl")
        shown = backend.take_shown() if backend else []
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            for number in plt.get_fignums():
                shown.append(png_of(plt.figure(number)))
        return shown

    def close_figures(self):
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            try:
                plt.close("all")
            except Exception:
                pass


def run_shell(request):
    """A Shell pool's command: bash -c COMMAND (or an argv), in /mnt/data, in its own process group so
    that a timeout ends everything it started. The exit code is the status."""
    import subprocess
    import threading
    cap = int(request.get("maxOutput", 1 << 20))
    argv = request.get("argv") or ["/bin/bash", "-c", request.get("command", "")]
    stdin = request.get("stdin")
    timeout = float(request.get("timeout", 60))
    timed_out = False
    try:
        process = subprocess.Popen(argv, cwd="/mnt/data", stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as error:
        return {"op": "result", "exitCode": 127, "stdout": "", "stderr": "%s\n" % error, "timedOut": False}
    out, err = CappedPipe(process.stdout, cap), CappedPipe(process.stderr, cap)
    if stdin is not None:
        threading.Thread(target=feed, args=(process.stdin, stdin.encode("utf-8")), daemon=True).start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(process.pid, _signal.SIGKILL)
        except OSError:
            pass
        process.wait()
    code = process.returncode
    stdout, stderr = out.text(), err.text()
    if timed_out:
        stderr += "TimeoutError: command timed out after %g seconds and was killed\n" % timeout
        code = 124
    return {"op": "result", "exitCode": code, "stdout": stdout, "stderr": stderr, "timedOut": timed_out}


def feed(pipe, data):
    try:
        pipe.write(data)
        pipe.close()
    except OSError:
        pass  # the command did not read it all


class CappedPipe:
    """Reads a command's stdout or stderr as it comes, keeping the first cap bytes: a flood costs
    neither memory nor /tmp. A process the command left running may hold the pipe after the
    command ends; a daemon thread goes on reading (and dropping) what it writes, so that it never
    blocks or dies of SIGPIPE."""

    def __init__(self, pipe, cap):
        import threading  # Shell pools only: not part of every Python session's start
        self.pipe = pipe
        self.cap = cap
        self.kept = bytearray()
        self.total = 0
        self.lock = threading.Lock()
        self.frozen = False
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        try:
            while True:
                chunk = os.read(self.pipe.fileno(), 1 << 16)
                if not chunk:
                    break
                with self.lock:
                    if not self.frozen:
                        self.kept += chunk[:max(0, self.cap - len(self.kept))]
                        self.total += len(chunk)
        finally:
            self.pipe.close()

    def text(self):
        # what the command wrote before it ended is in the pipe already; EOF comes unless a
        # process it left behind holds the pipe
        self.reader.join(0.5)
        with self.lock:
            self.frozen = True
            data, total = bytes(self.kept), self.total
        text = data.decode("utf-8", "replace")
        if total > self.cap:
            text += "\n[output truncated: more than %d bytes]\n" % self.cap
        return text


def png_of(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    import base64
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def capped_result(result, cap):
    """The server refuses an answer much larger than the output cap; a huge value says so instead.
    A figure is let through: the server allows room for one."""
    if isinstance(result, dict) and result.get("type") == "image":
        return result
    size = len(json_dumps(result).encode("utf-8", "surrogatepass"))
    if size > cap:
        return "[result truncated: its JSON is %d bytes, more than %d]" % (size, cap)
    return result


def capped(text, cap):
    if len(text) > cap:
        return text[:cap] + "\n[output truncated: more than %d bytes]\n" % cap
    return text


def to_json_value(value):
    """The last expression's value as Azure reports it: JSON when it is JSON, else its repr."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, dict)):
        try:
            return json_loads(json_dumps(value))
        except (TypeError, ValueError, RecursionError):
            pass
    return repr(value)


if __name__ == "__main__":
    main()
