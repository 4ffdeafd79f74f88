"""The first lines of every sandboxed program, before any untrusted line (see ``sandbox.runner``).

The runner starts ``python -I -S -B program.py CONFIG``: ``program.py`` is this file followed by a
driver or the untrusted source, and ``CONFIG`` is JSON with the library folders to put on
``sys.path`` (``site``), the path prefixes that may be read (``allowed``) and written
(``writable``), the result pipe's descriptor (``result_fd``) and whether to guard at once
(``guard_now``; a trusted driver reads its input first and installs the guard itself), and the
seccomp filter (``seccomp``, hex BPF), loaded before anything else: the kernel's refusals do not
depend on the audit hook, which only turns the common cases into clear messages.

Imported outside the sandbox (by tests), it defines the guard and installs nothing.
"""

import json as _json
import os as _os
import sys

RESULT_FD = -1
_ALLOWED_READ: tuple[str, ...] = ()
_WRITABLE: tuple[str, ...] = ()
_PROCESS_EVENTS = frozenset(
    {
        "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "pty.spawn", "os.startfile", "os.kill", "os.killpg", "_thread.start_new_thread",
    }
)  # fmt: skip
_NETWORK_EVENTS = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo"})


def configure(config: dict) -> None:
    global RESULT_FD, _ALLOWED_READ, _WRITABLE
    RESULT_FD = int(config["result_fd"])
    _ALLOWED_READ = tuple(config["allowed"])
    _WRITABLE = (config["writable"],)
    sys.path[:] = [p for p in sys.path if p] + [p for p in config["site"] if p]


def emit_result(data: bytes) -> None:
    """Hand bytes back to the caller through file descriptor RESULT_FD (a pipe)."""
    view = memoryview(data)
    while view:
        view = view[_os.write(RESULT_FD, view) :]


def _sandbox_guard(event: str, args: tuple) -> None:
    if event == "open":
        path, mode, flags = args[0], args[1], args[2]
        if isinstance(path, int):
            return
        text = _os.path.realpath(_os.fsdecode(path))  # no "allowed/../../etc" tricks
        if isinstance(mode, str):
            writing = any(m in mode for m in "wax+")
        else:  # os.open: the flags say it
            writing = bool(flags & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_TRUNC | _os.O_APPEND))
        if writing and not text.startswith(_WRITABLE):
            raise PermissionError("writing files is not allowed in the sandbox")
        if not writing and not text.startswith(_ALLOWED_READ):
            raise PermissionError(f"reading {text} is not allowed in the sandbox")
    elif event in _NETWORK_EVENTS:
        raise PermissionError("network access is not allowed in the sandbox")
    elif event in _PROCESS_EVENTS:
        raise PermissionError("starting processes or threads is not allowed in the sandbox")
    elif (event == "ctypes.dlopen" and args[0] is not None) or event in ("ctypes.dlsym", "ctypes.call_function"):
        raise PermissionError("calling native code through ctypes is not allowed in the sandbox")


def install_filter(program: bytes) -> None:
    """Load the seccomp filter (BPF compiled by sandbox.syscall_filter): from here on the kernel
    refuses what the filter denies, whatever the program does to this interpreter."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    code = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.addressof(code))
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:  # NO_NEW_PRIVS, SECCOMP
        raise SystemExit(f"the sandbox could not install its system-call filter (errno {ctypes.get_errno()})")


def install_guard() -> None:
    # Irreversible: once added, an audit hook stays for the life of the process.
    sys.addaudithook(_sandbox_guard)


if __name__ == "__main__":
    _config = _json.loads(sys.argv.pop(1))
    configure(_config)
    if _config.get("seccomp"):
        install_filter(bytes.fromhex(_config["seccomp"]))
    if _config["guard_now"]:
        install_guard()
    del _config
