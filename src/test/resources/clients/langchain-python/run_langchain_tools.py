#!/usr/bin/env python3
"""Drive the real LangChain Azure dynamic sessions tools against a Sandpool server.

Runs ``SessionsPythonREPLTool`` and ``SessionsBashTool`` from ``langchain_azure_dynamic_sessions``
(https://github.com/langchain-ai/langchain-azure, libs/azure-dynamic-sessions), unmodified, from
the checkout named by ``$LANGCHAIN_AZURE_SRC``. Its dependencies langchain_core, azure.core and
azure.identity are replaced by the small stubs next to this script (``stubs/``).

Usage:
    run_langchain_tools.py [PYTHON_POOL_ENDPOINT SHELL_POOL_ENDPOINT API_KEY]

Without arguments the values come from the environment variables of the same names
(``PYTHON_POOL_ENDPOINT``, ``SHELL_POOL_ENDPOINT``, ``SANDPOOL_API_KEY``).

Prints ``PASS <name>`` or ``FAIL <name>: <reason>`` per client call, then ``N passed, M failed``;
exits 1 if anything failed. Used by dev.sandpool.clients.LangChainPythonClientTest.
"""

import io
import json
import logging
import os
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def _setup_path() -> None:
    src = os.environ.get("LANGCHAIN_AZURE_SRC")
    if not src:
        sys.exit("LANGCHAIN_AZURE_SRC is not set (a checkout of langchain-ai/langchain-azure)")
    lib = os.path.join(src, "libs", "azure-dynamic-sessions")
    if not os.path.isdir(os.path.join(lib, "langchain_azure_dynamic_sessions")):
        sys.exit(f"no langchain_azure_dynamic_sessions under {lib}")
    sys.path.insert(0, lib)
    sys.path.insert(0, os.path.join(HERE, "stubs"))


_setup_path()

import requests  # noqa: E402

from langchain_azure_dynamic_sessions import (  # noqa: E402
    SessionsBashTool,
    SessionsPythonREPLTool,
)
from langchain_azure_dynamic_sessions.tools import sessions as sessions_module  # noqa: E402


class _Recorder(logging.Handler):
    """Collects the client's warnings (it logs, rather than raises, failed session deletes)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += ": " + _describe(record.exc_info[1])
        self.messages.append(text)


RECORDER = _Recorder()
logging.getLogger(sessions_module.__name__).addHandler(RECORDER)

passed = 0
failed = 0


def _describe(error: BaseException) -> str:
    """An error, with the HTTP request and answer when it came from requests."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        response = error.response
        request = response.request
        body = request.body
        if isinstance(body, bytes):
            body = body[:300].decode("utf-8", "replace")
        return (f"{error} | request: {request.method} {request.url} body={body!r}"
                f" | answer: {response.status_code} {response.text[:500]!r}")
    return f"{type(error).__name__}: {error}"


def check(name: str, fn) -> None:
    global passed, failed
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
        failed += 1
        print(f"FAIL {name}: {_describe(error)}", flush=True)
        traceback.print_exc(file=sys.stderr)
    else:
        passed += 1
        print(f"PASS {name}", flush=True)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def wait_for_deletes(timeout: float = 30.0) -> None:
    """Waits for the client's background session-delete threads, then checks none failed."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t for t in threading.enumerate() if t.daemon and t.is_alive()]
    expect(not alive, f"session delete still running after {timeout}s")
    warnings, RECORDER.messages[:] = list(RECORDER.messages), []
    expect(not warnings, f"client logged: {warnings}")


def _source_version() -> str:
    """The version in the checkout's pyproject.toml (the User-Agent says 0.0.0: it is not installed)."""
    pyproject = os.path.join(os.environ["LANGCHAIN_AZURE_SRC"], "libs", "azure-dynamic-sessions", "pyproject.toml")
    try:
        with open(pyproject, encoding="utf-8") as f:
            for line in f:
                if line.startswith("version"):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def main() -> int:
    args = sys.argv[1:]
    if len(args) == 3:
        python_endpoint, shell_endpoint, key = args
    elif not args:
        python_endpoint = os.environ.get("PYTHON_POOL_ENDPOINT")
        shell_endpoint = os.environ.get("SHELL_POOL_ENDPOINT")
        key = os.environ.get("SANDPOOL_API_KEY")
    else:
        sys.exit(__doc__)
    if not (python_endpoint and shell_endpoint and key):
        sys.exit("need PYTHON_POOL_ENDPOINT, SHELL_POOL_ENDPOINT and SANDPOOL_API_KEY")

    def token() -> str:
        return key

    print(f"client: langchain-azure-dynamic-sessions {_source_version()} from {sessions_module.__file__}", flush=True)
    scratch = tempfile.mkdtemp(prefix="lc-sessions-")
    binary = bytes(range(256)) * 4

    # ---------------------------------------------------------------- SessionsPythonREPLTool
    py = SessionsPythonREPLTool(pool_management_endpoint=python_endpoint, access_token_provider=token)

    def py_invoke():
        content = json.loads(py.invoke("print('hello world')\n1 + 1"))
        expect(content["result"] == 2, f"result {content!r}")
        expect(content["stdout"] == "hello world\n", f"stdout {content!r}")
        expect(content["stderr"] == "", f"stderr {content!r}")

    def py_invoke_sanitized():
        content = json.loads(py.invoke("```python\n6 * 7\n```"))
        expect(content["result"] == 42, f"result {content!r}")

    def py_execute_state():
        py.execute("marker = 'kept'\nimport os")
        properties = py.execute("marker + ':' + os.getcwd()")
        expect(properties.get("status") == "Success", f"properties {properties!r}")
        expect(properties.get("result") == "kept:/mnt/data", f"result {properties!r}")

    def py_invoke_unicode():
        content = json.loads(py.invoke("print('h\u00e9llo \u2713')\n'\u00fc'"))
        expect(content["stdout"] == "h\u00e9llo \u2713\n", f"stdout {content!r}")
        expect(content["result"] == "\u00fc", f"result {content!r}")

    def py_invoke_error():
        content = json.loads(py.invoke("1 / 0"))
        expect("ZeroDivisionError" in (content["stderr"] or ""), f"stderr {content!r}")
        expect(content["result"] in (None, ""), f"result {content!r}")

    def py_upload_data():
        meta = py.upload_file(data=io.BytesIO(b"alpha,beta\n1,2\n"), remote_file_path="data.csv")
        expect(meta.filename == "data.csv", f"metadata {meta!r}")
        expect(meta.size_in_bytes == 15, f"metadata {meta!r}")
        expect(meta.full_path == "/mnt/data/data.csv", f"full_path {meta.full_path!r}")

    def py_upload_local():
        local = os.path.join(scratch, "blob.bin")
        with open(local, "wb") as f:
            f.write(binary)
        meta = py.upload_file(local_file_path=local)
        expect(meta.filename == "blob.bin", f"metadata {meta!r}")
        expect(meta.size_in_bytes == len(binary), f"metadata {meta!r}")

    def py_upload_spaced_name():
        meta = py.upload_file(data=io.BytesIO(b"spaced"), remote_file_path="my notes.txt")
        expect(meta.filename == "my notes.txt", f"metadata {meta!r}")

    def py_list_files():
        files = {f.filename: f.size_in_bytes for f in py.list_files()}
        expected = {"data.csv": 15, "blob.bin": len(binary), "my notes.txt": 6}
        for name, size in expected.items():
            expect(files.get(name) == size, f"{name} -> {files!r}")

    def py_download():
        expect(py.download_file(remote_file_path="data.csv").read() == b"alpha,beta\n1,2\n", "data.csv bytes")
        local = os.path.join(scratch, "blob.copy")
        data = py.download_file(remote_file_path="blob.bin", local_file_path=local).read()
        expect(data == binary, f"blob.bin: {len(data)} bytes")
        with open(local, "rb") as f:
            expect(f.read() == binary, "blob.bin local copy")
        expect(py.download_file(remote_file_path="my notes.txt").read() == b"spaced", "my notes.txt bytes")

    def py_download_missing():
        try:
            py.download_file(remote_file_path="no-such-file.txt")
        except requests.HTTPError as error:
            expect(error.response.status_code == 404, f"status {error.response.status_code}")
        else:
            raise AssertionError("download of a missing file did not fail")

    def py_read_uploaded():
        content = json.loads(py.invoke(
            "import csv\nrows = list(csv.reader(open('/mnt/data/data.csv')))\n"
            "print(rows[0])\nlen(open('/mnt/data/blob.bin', 'rb').read())"))
        expect(content["stdout"] == "['alpha', 'beta']\n", f"stdout {content!r}")
        expect(content["result"] == len(binary), f"result {content!r}")

    def py_written_file_downloads():
        py.execute("open('/mnt/data/out.txt', 'w').write('made in session')")
        expect(py.download_file(remote_file_path="out.txt").read() == b"made in session", "out.txt bytes")

    check("python.invoke", py_invoke)
    check("python.invoke.sanitized_input", py_invoke_sanitized)
    check("python.execute.state", py_execute_state)
    check("python.invoke.unicode", py_invoke_unicode)
    check("python.invoke.error", py_invoke_error)
    check("python.upload_file.data", py_upload_data)
    check("python.upload_file.local_file_path", py_upload_local)
    check("python.upload_file.spaced_name", py_upload_spaced_name)
    check("python.list_files", py_list_files)
    check("python.download_file", py_download)
    check("python.download_file.missing", py_download_missing)
    check("python.execute.reads_uploaded_files", py_read_uploaded)
    check("python.download_file.written_by_code", py_written_file_downloads)

    def py_close():
        old = py.session_id
        py.close()
        expect(py.session_id != old, "session id not rotated")
        wait_for_deletes()
        fresh = SessionsPythonREPLTool(pool_management_endpoint=python_endpoint, access_token_provider=token,
                                       session_id=old)
        properties = fresh.execute("'marker' in globals()")
        expect(properties.get("result") is False, f"old session still has its state: {properties!r}")
        names = [f.filename for f in fresh.list_files()]
        expect("data.csv" not in names, f"old session still has its files: {names!r}")
        fresh.close()
        wait_for_deletes()

    def py_context_manager():
        with SessionsPythonREPLTool(pool_management_endpoint=python_endpoint, access_token_provider=token) as tool:
            session = tool.session_id
            tool.execute("inside = 1")
        wait_for_deletes()
        again = SessionsPythonREPLTool(pool_management_endpoint=python_endpoint, access_token_provider=token,
                                       session_id=session)
        expect(again.execute("'inside' in globals()").get("result") is False, "session kept after __exit__")
        again.close()
        wait_for_deletes()

    def py_delete_after_invocation():
        tool = SessionsPythonREPLTool(pool_management_endpoint=python_endpoint, access_token_provider=token,
                                      delete_session_after_invocation=True)
        first = tool.session_id
        content = json.loads(tool.invoke("z = 7\nz * 6"))
        expect(content["result"] == 42, f"result {content!r}")
        expect(tool.session_id != first, "session id not rotated")
        wait_for_deletes()
        content = json.loads(tool.invoke("'z' in globals()"))
        expect(content["result"] is False, f"state survived: {content!r}")
        wait_for_deletes()

    check("python.close", py_close)
    check("python.context_manager", py_context_manager)
    check("python.delete_session_after_invocation", py_delete_after_invocation)

    # ---------------------------------------------------------------- SessionsBashTool
    sh = SessionsBashTool(pool_management_endpoint=shell_endpoint, access_token_provider=token)

    def sh_invoke():
        content = json.loads(sh.invoke("echo hello"))
        expect(content == {"stdout": "hello\n", "stderr": "", "exitCode": 0}, f"content {content!r}")

    def sh_invoke_exit_code():
        content = json.loads(sh.invoke("```bash\necho oops >&2; exit 3\n```"))
        expect(content["exitCode"] == 3, f"content {content!r}")
        expect(content["stderr"] == "oops\n", f"content {content!r}")

    def sh_execute():
        response = sh.execute("pwd; printf '%s' \"$((6 * 7))\"")
        expect(response.get("status") == "0", f"response {response!r}")
        expect(response.get("result", {}).get("stdout") == "/mnt/data\n42", f"response {response!r}")

    def sh_upload_data():
        meta = sh.upload_file(data=io.BytesIO(b"#!/bin/sh\necho from-script\n"), remote_file_path="script.sh")
        expect(meta.filename == "script.sh", f"metadata {meta!r}")
        expect(meta.size_in_bytes == 27, f"metadata {meta!r}")

    def sh_upload_local():
        local = os.path.join(scratch, "bytes.bin")
        with open(local, "wb") as f:
            f.write(binary)
        meta = sh.upload_file(local_file_path=local)
        expect(meta.filename == "bytes.bin", f"metadata {meta!r}")
        expect(meta.size_in_bytes == len(binary), f"metadata {meta!r}")

    def sh_list_files():
        files = {f.filename: f.size_in_bytes for f in sh.list_files()}
        expect(files.get("script.sh") == 27, f"files {files!r}")
        expect(files.get("bytes.bin") == len(binary), f"files {files!r}")

    def sh_download():
        expect(sh.download_file(remote_file_path="script.sh").read() == b"#!/bin/sh\necho from-script\n",
               "script.sh bytes")
        local = os.path.join(scratch, "bytes.copy")
        expect(sh.download_file(remote_file_path="bytes.bin", local_file_path=local).read() == binary,
               "bytes.bin bytes")
        with open(local, "rb") as f:
            expect(f.read() == binary, "bytes.bin local copy")

    def sh_uses_uploaded():
        # not "sh script.sh ...": the client's input sanitizer strips a leading "bash"/"sh" word
        content = json.loads(sh.invoke("cat /mnt/data/script.sh | sh && wc -c < /mnt/data/bytes.bin"))
        expect(content["exitCode"] == 0, f"content {content!r}")
        expect(content["stdout"].split() == ["from-script", str(len(binary))], f"content {content!r}")

    def sh_written_file_downloads():
        sh.invoke("echo saved > /mnt/data/note.txt")
        expect(sh.download_file(remote_file_path="note.txt").read() == b"saved\n", "note.txt bytes")

    def sh_close():
        old = sh.session_id
        sh.close()
        expect(sh.session_id != old, "session id not rotated")
        wait_for_deletes()
        fresh = SessionsBashTool(pool_management_endpoint=shell_endpoint, access_token_provider=token, session_id=old)
        names = [f.filename for f in fresh.list_files()]
        expect("script.sh" not in names, f"old session still has its files: {names!r}")
        fresh.close()
        wait_for_deletes()

    def sh_delete_after_invocation():
        tool = SessionsBashTool(pool_management_endpoint=shell_endpoint, access_token_provider=token,
                                delete_session_after_invocation=True)
        first = tool.session_id
        content = json.loads(tool.invoke("echo kept > /mnt/data/k.txt && echo ok"))
        expect(content["stdout"] == "ok\n", f"content {content!r}")
        expect(tool.session_id != first, "session id not rotated")
        wait_for_deletes()
        content = json.loads(tool.invoke("test -e /mnt/data/k.txt"))
        expect(content["exitCode"] == 1, f"file survived: {content!r}")
        wait_for_deletes()

    check("bash.invoke", sh_invoke)
    check("bash.invoke.exit_code_and_stderr", sh_invoke_exit_code)
    check("bash.execute", sh_execute)
    check("bash.upload_file.data", sh_upload_data)
    check("bash.upload_file.local_file_path", sh_upload_local)
    check("bash.list_files", sh_list_files)
    check("bash.download_file", sh_download)
    check("bash.invoke.uses_uploaded_files", sh_uses_uploaded)
    check("bash.download_file.written_by_command", sh_written_file_downloads)
    check("bash.close", sh_close)
    check("bash.delete_session_after_invocation", sh_delete_after_invocation)

    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
