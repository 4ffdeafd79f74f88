#!/bin/sh
# Builds the jail's root file system inside fresh namespaces, then runs the program in it
# (see sandbox.runner). Arguments: root, Python home, site-packages, drop-to-nobody (1/0), program,
# then the command to run.
set -e
R="$1"; PY="$2"; SITE="$3"; DROP="$4"
mount -t tmpfs -o size=8m,mode=755 tmpfs "$R"
mkdir -p "$R/py" "$R/site" "$R/usr" "$R/dev" "$R/tmp" "$R/work"
for pair in "$PY:py" "$SITE:site" "/usr:usr"; do
  src="${pair%%:*}"; dst="$R/${pair##*:}"
  mount --bind "$src" "$dst"; mount -o remount,bind,ro "$dst"
done
ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"; ln -s usr/bin "$R/bin"
for d in null urandom zero; do touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t tmpfs -o size=1m,mode=1777 tmpfs "$R/tmp"
cp "$5" "$R/work/program.py"
shift 5
# No capabilities survive into the program: without CAP_SYS_CHROOT there is no climbing out of the
# chroot, and without the others nothing to mount, trace or signal.
CAPS="--no-new-privs --bounding-set=-all --inh-caps=-all"
if [ "$DROP" = "1" ]; then
  exec chroot "$R" /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups $CAPS "$@"
fi
exec chroot "$R" /usr/bin/setpriv --securebits=+noroot,+noroot_locked $CAPS "$@"
