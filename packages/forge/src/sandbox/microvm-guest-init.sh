#!/busybox sh
# /init of the microVM provider's initramfs: this script, /busybox (Debian busybox-static) and
# links /bin -> usr/bin, /lib -> usr/lib, /lib64 -> usr/lib64, /etc with passwd. The host shares /usr
# read-only (tag usr), the run's work directory (tag work) and a control directory (tag ctl)
# holding `cmd` (the step's shell command) and `env` (NAME=value lines). The command runs as
# uid 1000 with at most micelio.pids processes; its exit code goes to ctl/exit, and ctl/oom
# is written when the guest's OOM killer fired. Then the VM powers off (qemu -no-reboot).
/busybox mkdir -p /proc /sys /dev /usr /workspace /ctl /tmp
/busybox mount -t proc proc /proc
/busybox mount -t sysfs sys /sys
/busybox mount -t devtmpfs dev /dev
/busybox mount -t tmpfs -o mode=1777 tmp /tmp
for tag in usr work ctl; do
  dir=/$tag; [ "$tag" = work ] && dir=/workspace
  /busybox mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$tag" "$dir"
done
/busybox mount -o remount,ro /usr 2>/dev/null
pids=$(/busybox sed -n 's/.*micelio\.pids=\([0-9]*\).*/\1/p' /proc/cmdline)
cd /workspace
(
  ulimit -u "${pids:-256}"
  exec /busybox env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/workspace TMPDIR=/tmp CI=true \
    $(/busybox cat /ctl/env) \
    /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
    /bin/sh -c "$(/busybox cat /ctl/cmd)" >/dev/hvc0 2>/dev/hvc1 </dev/null
)
echo $? > /ctl/exit
/busybox dmesg | /busybox grep -q "Out of memory" && echo 1 > /ctl/oom
/busybox sync
/busybox reboot -f
