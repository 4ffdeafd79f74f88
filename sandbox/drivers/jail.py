"""Builds the jail's root file system inside fresh namespaces, then becomes the sandboxed program.

Trusted code, started by sandbox.runner as ``unshare --mount --net --pid --ipc --uts --fork ...
python -I -S -B jail.py CONFIG`` (root on the host, or root of a user namespace). Standard library
only. CONFIG is JSON:

* ``root``: an empty folder to build the jail in (a fresh tmpfs is mounted on it);
* ``binds``: ``[source, target]`` pairs, bind-mounted read-only (no suid, no devices) at
  ``root + target``: only the interpreter, its standard library, site-packages and the shared
  libraries they load, nothing else of the host;
* ``tmp_bytes``: the size of the run's private, empty scratch tmpfs at ``/tmp`` (no exec);
* ``program``: the file copied to ``/work/program.py``;
* ``uid``: the run's own user id (as root on the host), or null in a user namespace, where the
  program stays the namespace's root but with ``SECBIT_NOROOT`` locked and no capabilities;
* ``argv``, ``env``: what to execute inside.

After ``chroot`` the process drops every capability (bounding set, effective, permitted,
inheritable and ambient) and sets no-new-privileges, then executes the program: it can neither
climb out of the chroot nor mount, trace or signal anything outside.
"""

import ctypes
import json
import os
import signal
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
# statvfs flag -> mount flag, for the flags a remount in a user namespace must keep (they are locked).
_KEPT = {
    1: MS_RDONLY,
    2: MS_NOSUID,
    4: MS_NODEV,
    8: MS_NOEXEC,
    1024: MS_NOATIME,
    2048: MS_NODIRATIME,
    4096: MS_RELATIME,
}
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = (
    1,
    4,
    24,
    28,
    38,
    47,
)
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 1, 2

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source, target: str, fstype, flags: int, data=None) -> None:
    def raw(text):
        return None if text is None else os.fsencode(text)

    _check(_libc.mount(raw(source), raw(target), raw(fstype), flags, raw(data)), f"mount {target}")


def _bind_read_only(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb"):
            pass
    _mount(source, target, None, MS_BIND)
    kept = 0
    current = os.statvfs(target).f_flag
    for bit, flag in _KEPT.items():
        if current & bit:
            kept |= flag
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | kept)


def _drop_capabilities(uid) -> None:
    """Lose every capability for good; then, given a uid, become it (it must be mapped)."""
    if uid is None:  # stay the namespace's root, but never regain capabilities by it
        _check(_libc.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0), "securebits")
    cap = 0
    while _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if uid is not None:  # from root to an ordinary uid: effective and permitted capabilities go too
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:  # clear effective, permitted and inheritable: capset(version 3, pid 0, all zero)
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)
        data = (ctypes.c_uint32 * 6)()
        _check(_libc.capset(header, data), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS")


def main(config: dict) -> None:
    root = config["root"]
    # Trusted and holding root's powers until it drops them: nothing may trace or read it.
    _check(_libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    for source, target in config["binds"]:
        _bind_read_only(source, root + target)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "urandom"):
        open(root + "/dev/" + device, "wb").close()
        _mount("/dev/" + device, root + "/dev/" + device, None, MS_BIND)
    os.makedirs(root + "/tmp", exist_ok=True)
    scratch = f"size={int(config['tmp_bytes'])},mode=1777"
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, scratch)
    os.makedirs(root + "/work", exist_ok=True)
    with open(config["program"], "rb") as source, open(root + "/work/program.py", "wb") as target:
        target.write(source.read())
    os.chmod(root + "/work/program.py", 0o644)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    # The program is PID 1 of a PID namespace of its own; as root on the host, also in a user
    # namespace of its own where it is nobody and which maps that to the run's own host uid.
    outer = config["outer_uid"]
    os.unshare(os.CLONE_NEWPID)
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(go_w)
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if outer is not None:
            os.unshare(os.CLONE_NEWUSER)
        os.write(ready_w, b"1")
        os.close(ready_w)
        if os.read(go_r, 1) != b"1":
            os._exit(70)
        os.close(go_r)
        os.chroot(root)
        os.chdir("/")
        _drop_capabilities(config["inner_uid"] if outer is not None else None)
        os.execve(config["argv"][0], config["argv"], config["env"])
    os.close(ready_w)
    os.close(go_r)
    if os.read(ready_r, 1) == b"1" and outer is not None:
        inner = int(config["inner_uid"])
        for kind in ("uid_map", "gid_map"):
            with open(f"/proc/{pid}/{kind}", "w") as mapping:
                mapping.write(f"{inner} {int(outer)} 1\n")
    os.write(go_w, b"1")
    os.close(go_w)
    os.close(ready_r)
    # Nothing more to do but wait: hold nothing of the run's, and no capabilities.
    os.close(0)
    os.close(1)
    os.closerange(3, 4096)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    _libc.capset(header, (ctypes.c_uint32 * 6)())
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):  # die the same way, so the caller sees how the program ended
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
