# SPDX-License-Identifier: LGPL-2.1-or-later
"""libvirt's qemu driver and qemu itself as the judge of <disk> XML: a
private libvirtd (with its virtlogd) that defines a domain of type 'qemu'
(TCG, no KVM needed) around the given <disk> elements, starts it paused,
and asks qemu (query-block) what it opened for each disk: the format and
the backing chain, the file, block device, iSCSI LUN, rbd image or
gluster file, read-only or not; then reads sector 0 of each through
qemu's block layer.

    with QemuJudge(workdir) as judge:
        judge.virsh("secret-define", path)
        v = judge.judge("case-name", disks)      # <disk>/<controller> elements
        print(v.report()); assert v.ok

The daemons run in a mount namespace of their own: libvirtd's system
paths (/etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/log/libvirt,
/var/cache/libvirt) are bind mounts of directories under workdir there,
so several judges (and the host) never share a pid file, a socket or a
domain; the sockets live in workdir/sock, outside the namespace.  qemu
runs as the user libvirt-qemu (tools/install-deps creates it), so
workdir and every image must be reachable by that user.  Teardown
destroys what is still running and stops exactly the processes started
here, by pid (libvirtd, virtlogd, the qemu processes of their domains).

QemuJudge.unavailable() says why the judge cannot run (a reason string,
for a skip) or None.
"""
import glob
import grp
import json
import os
import pwd
import select
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

QEMU = "/usr/bin/qemu-system-x86_64"
SYSTEM_DIRS = {"etc": "/etc/libvirt", "run": "/run/libvirt", "lib": "/var/lib/libvirt",
               "log": "/var/log/libvirt", "cache": "/var/cache/libvirt"}
READ_BYTES = 512


def _which(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


class QemuJudge:
    def __init__(self, workdir, cache=None, qemu_conf="", etc_files=None, env=None):
        self.workdir = workdir
        self.cache = cache      # kept across runs: libvirt's probe of qemu, ~10 s
        self.qemu_conf = qemu_conf          # more lines of qemu.conf (lock_manager = ...)
        self.etc_files = etc_files or {}    # more files of /etc/libvirt: name -> text
        self.env = env or {}                # more environment of the daemons
        self.holder = None
        self.pids = {}
        self.uri = "qemu:///system?socket=%s/sock/libvirt-sock" % workdir
        self.verdicts = []
        self.started_in = None

    @staticmethod
    def unavailable():
        if os.geteuid() != 0:
            return "needs root (libvirtd's qemu driver runs qemu as the user libvirt-qemu)"
        for tool, pkg in (("libvirtd", "libvirt-daemon"), ("virtlogd", "libvirt-daemon"),
                          ("virsh", "libvirt-clients"), ("unshare", "util-linux")):
            if not _which(tool):
                return "%s is not installed (package %s)" % (tool, pkg)
        if not os.access(QEMU, os.X_OK):
            return "%s is not installed (package qemu-system-x86)" % QEMU
        if not (glob.glob("/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so") or
                glob.glob("/usr/lib*/libvirt/connection-driver/libvirt_driver_qemu.so")):
            return "libvirt's qemu driver is not installed (libvirt-daemon-driver-qemu)"
        try:
            pwd.getpwnam("libvirt-qemu")
            grp.getgrnam("libvirt-qemu")
        except KeyError:
            return "no user and group libvirt-qemu (tools/install-deps creates them)"
        return None

    # -- daemons -------------------------------------------------------------

    def _write_config(self):
        w = self.workdir
        for d in list(SYSTEM_DIRS) + ["sock"]:
            os.makedirs(os.path.join(w, d), exist_ok=True)
        with open(os.path.join(w, "etc", "libvirtd.conf"), "w") as f:
            f.write('unix_sock_dir = "%s/sock"\nunix_sock_group = "root"\n'
                    'unix_sock_rw_perms = "0700"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\n'
                    'log_outputs = "3:file:%s/libvirtd.log"\n' % (w, w))
        with open(os.path.join(w, "etc", "virtlogd.conf"), "w") as f:
            f.write('log_outputs = "3:file:%s/virtlogd.log"\n' % w)
        # no cgroups or per-domain /dev namespace in a container; DAC only
        with open(os.path.join(w, "etc", "qemu.conf"), "w") as f:
            f.write('cgroup_controllers = [ ]\nnamespaces = [ ]\nsecurity_driver = "none"\n'
                    'user = "libvirt-qemu"\ngroup = "libvirt-qemu"\n')
            f.write(self.qemu_conf)
        for name, text in self.etc_files.items():
            with open(os.path.join(w, "etc", name), "w") as f:
                f.write(text)

    def _script(self):
        w = self.workdir
        lines = ["set -e"]
        for sub, target in SYSTEM_DIRS.items():
            src = self.cache if sub == "cache" and self.cache else "%s/%s" % (w, sub)
            lines.append("mount --bind %s %s" % (src, target))
        lines += [
            "virtlogd -f /etc/libvirt/virtlogd.conf -p %s/virtlogd.pid >&2 &" % w,
            "echo virtlogd $!",
            "for i in $(seq 100); do [ -S /run/libvirt/virtlogd-sock ] && break; sleep 0.05; done",
            "libvirtd -f /etc/libvirt/libvirtd.conf -p %s/libvirtd.pid >&2 &" % w,
            "echo libvirtd $!",
            "exec 1>&-",
            "wait",
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout=300):
        """Starts virtlogd and libvirtd; waits (at most timeout seconds:
        libvirt probes qemu at the first connection, slow on a loaded
        machine) until libvirtd answers."""
        t0 = time.monotonic()
        os.chmod(self.workdir, 0o755)
        self._write_config()
        if self.cache:
            os.makedirs(self.cache, mode=0o700, exist_ok=True)
        for target in SYSTEM_DIRS.values():
            os.makedirs(target, exist_ok=True)  # mount points; stay empty on the host
        env = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin", **self.env)
        env.pop("LIBVIRT_DEFAULT_URI", None)
        log = open(os.path.join(self.workdir, "daemons.log"), "w")
        self.holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private",
                                        "bash", "-c", self._script()],
                                       stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                                       start_new_session=True)
        log.close()
        self._read_pids(t0 + 30)
        if set(self.pids) != {"virtlogd", "libvirtd"}:
            self.stop()
            raise RuntimeError("the daemons did not start (see %s/daemons.log)" % self.workdir)
        sock = os.path.join(self.workdir, "sock", "libvirt-sock")
        while time.monotonic() - t0 < timeout:
            if self._dead("libvirtd") or self._dead("virtlogd"):
                break
            left = timeout - (time.monotonic() - t0)
            try:
                if os.path.exists(sock) and self.virsh("version", check=False,
                                                       timeout=max(left, 1)).returncode == 0:
                    self.started_in = time.monotonic() - t0
                    return self
            except subprocess.TimeoutExpired:
                break
            time.sleep(0.2)
        why = ("%s exited" % ("libvirtd" if self._dead("libvirtd") else "virtlogd")
               if self._dead("libvirtd") or self._dead("virtlogd") else
               "libvirtd did not answer within %d s" % timeout)
        self.stop()
        raise RuntimeError("%s (see %s/libvirtd.log)" % (why, self.workdir))

    def _read_pids(self, deadline):
        """The "NAME PID" lines of the start script, until it closes its
        output (it does once both daemons run) or the deadline."""
        out = self.holder.stdout
        buf = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([out], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                break
            chunk = os.read(out.fileno(), 4096).decode()
            if not chunk:
                break
            buf += chunk
        out.close()
        for line in buf.splitlines():
            name, _, pid = line.partition(" ")
            if pid.isdigit():
                self.pids[name] = int(pid)

    def _dead(self, name):
        pid = self.pids.get(name)
        return pid is None or _is_zombie(pid)

    def _qemu_pids(self):
        pids = []
        for path in glob.glob(os.path.join(self.workdir, "run", "qemu", "*.pid")):
            try:
                with open(path) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                continue
            if _is_process(pid, "qemu-system"):
                pids.append(pid)
        return pids

    def stop(self):
        """Destroys the domains still running, then stops the processes
        started here, by pid: qemu (if any is left), libvirtd, virtlogd."""
        if not self.holder:
            return
        if self.pids.get("libvirtd") and not self._dead("libvirtd"):
            try:
                r = self.virsh("list", "--name", check=False, timeout=20)
                for name in r.stdout.split():
                    self.virsh("destroy", name, check=False, timeout=20)
            except subprocess.TimeoutExpired:
                pass            # their qemu processes are stopped by pid below
        for pid in self._qemu_pids():
            _stop_pid(pid, "qemu-system")
        for name in ("libvirtd", "virtlogd"):
            if name in self.pids:
                _stop_pid(self.pids[name], name)
        try:
            self.holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.holder.kill()          # our child: its pid cannot have been reused
            self.holder.wait(timeout=10)
        self.holder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def virsh(self, *args, check=True, timeout=60, input=None):
        r = subprocess.run(["virsh", "-q", "-c", self.uri] + list(args), capture_output=True,
                           text=True, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise RuntimeError("virsh %s: %s" % (" ".join(args), (r.stderr + r.stdout).strip()))
        return r

    # -- judging -------------------------------------------------------------

    def judge(self, name, elements, memory_mib=64):
        """Defines domain `name` around elements (<disk> and <controller>
        Elements or XML text of them, or of a <devices> element), starts it
        paused, checks what qemu opened, destroys and undefines it."""
        v = Verdict(name)
        devices = _devices(elements)
        _add_controllers(devices)
        dom = ET.Element("domain", type="qemu")
        ET.SubElement(dom, "name").text = name
        ET.SubElement(dom, "memory", unit="MiB").text = str(memory_mib)
        ET.SubElement(dom, "vcpu").text = "1"
        os_ = ET.SubElement(dom, "os")
        ET.SubElement(os_, "type", arch="x86_64", machine="pc").text = "hvm"
        ET.SubElement(devices, "emulator").text = QEMU
        # nothing the judgement needs not: a faster start
        if devices.find("./controller[@type='usb']") is None:
            ET.SubElement(devices, "controller", type="usb", model="none")
        ET.SubElement(devices, "memballoon", model="none")
        dom.append(devices)
        path = os.path.join(self.workdir, name + ".xml")
        ET.ElementTree(dom).write(path)
        v.disks = [Disk(d) for d in devices.findall("disk")]
        t0 = time.monotonic()
        r = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True, text=True)
        v.schema = "ok" if r.returncode == 0 else "refused: " + _first_line(r.stderr + r.stdout)
        r = self.virsh("define", "--validate", path, check=False)
        if r.returncode != 0:
            v.libvirt = "refused at define: " + _libvirt_error(r.stderr)
            v.seconds = time.monotonic() - t0
            self.verdicts.append(v)
            return v
        try:
            r = self.virsh("start", "--paused", name, check=False)
            if r.returncode != 0:
                v.libvirt = "refused at start: " + _libvirt_error(r.stderr)
                return v
            v.libvirt = "defined (--validate) and started paused"
            self._check_disks(name, v)
        finally:
            self.virsh("destroy", name, check=False)
            self.virsh("undefine", name, check=False)
            v.seconds = time.monotonic() - t0
            self.verdicts.append(v)
        return v

    def _check_disks(self, name, v):
        live = ET.fromstring(self.virsh("dumpxml", name).stdout)
        aliases = {}
        for d in live.findall("./devices/disk"):
            alias = d.find("alias")
            aliases[d.find("target").get("dev")] = alias.get("name") if alias is not None else None
        r = self.virsh("qemu-monitor-command", name, '{"execute": "query-block"}')
        blocks = json.loads(r.stdout)["return"]
        log = os.path.join(self.workdir, "log", "qemu", name + ".log")
        for disk in v.disks:
            disk.alias = aliases.get(disk.dev)
            entry = next((b for b in blocks if disk.alias and
                          (b.get("qdev") == disk.alias or
                           b.get("qdev", "").startswith("/machine/peripheral/%s/" % disk.alias))),
                         None)
            disk.check(entry)
            if entry and entry.get("inserted") and not disk.problems:
                disk.read = self._read_sector0(name, entry["qdev"], log)
                if disk.read != "ok":
                    disk.problems.append("reading sector 0: " + disk.read)

    def _read_sector0(self, name, qdev, log):
        """qemu-io's read of the first sector through the device's whole
        block graph; qemu-io writes its result on qemu's stdout, the log."""
        before = _log_lines(log)
        cmd = 'qemu-io -d %s "read 0 %d"' % (qdev, READ_BYTES)
        r = self.virsh("qemu-monitor-command", "--hmp", name, cmd, check=False)
        if r.returncode != 0 or r.stdout.strip():
            return _first_line(r.stderr + r.stdout)
        want = "read %d/%d bytes at offset 0" % (READ_BYTES, READ_BYTES)
        for _ in range(40):
            new = _log_lines(log)[len(before):]
            if any(want in line for line in new):
                return "ok"
            failed = [line for line in new if "failed" in line or "error" in line.lower()]
            if failed:
                return failed[0].strip()
            time.sleep(0.05)
        return "no answer from qemu-io in the domain log"

    def summary(self):
        lines = ["qemu judge: libvirtd up in %.1f s; %d domains" % (self.started_in or 0,
                                                                   len(self.verdicts))]
        for v in self.verdicts:
            lines.append(v.report())
        return "\n".join(lines)


class Disk:
    """What a <disk> asks for and what qemu opened for it."""

    def __init__(self, elem):
        self.elem = elem
        self.dev = elem.find("target").get("dev")
        self.device = elem.get("device", "disk")
        self.readonly = elem.find("readonly") is not None
        self.chain = _expected_chain(elem)
        self.alias = None
        self.opened = None
        self.read = None
        self.problems = []

    def check(self, entry):
        if entry is None:
            self.problems.append("no block device of qemu for alias %s" % self.alias)
            return
        inserted = entry.get("inserted")
        if not self.chain:
            self.opened = "no medium" if not inserted else "a medium nobody asked for"
            if inserted:
                self.problems.append(self.opened)
            return
        if not inserted:
            self.problems.append("qemu has no medium in it")
            return
        got = []
        image = inserted.get("image")
        while image:
            got.append((image.get("format"), image.get("filename")))
            image = image.get("backing-image")
        self.opened = " <- ".join("%s %s" % (fmt, _short(fn)) for fmt, fn in got)
        if inserted.get("ro") != self.readonly:
            self.problems.append("read-only is %s, the XML asks %s" % (inserted.get("ro"),
                                                                        self.readonly))
        if len(got) != len(self.chain):
            self.problems.append("a chain of %d images, the XML has %d" % (len(got),
                                                                          len(self.chain)))
        for n, ((fmt, where), (gfmt, gname)) in enumerate(zip(self.chain, got)):
            if fmt and gfmt != fmt:
                self.problems.append("image %d: format %s, the XML says %s" % (n, gfmt, fmt))
            problem = _same_source(where, gname)
            if problem:
                self.problems.append("image %d: %s" % (n, problem))

    def report(self):
        status = "ok" if not self.problems else "PROBLEM: " + "; ".join(self.problems)
        what = self.opened or "-"
        read = ", read sector 0" if self.read == "ok" else ""
        return "  %s (%s, alias %s): qemu opened %s%s: %s" % (self.dev, self.device, self.alias,
                                                             what, read, status)


class Verdict:
    def __init__(self, name):
        self.name = name
        self.schema = None
        self.libvirt = None
        self.disks = []
        self.seconds = 0.0

    @property
    def started(self):
        return bool(self.libvirt) and self.libvirt.startswith("defined")

    @property
    def ok(self):
        return self.schema == "ok" and self.started and not any(d.problems for d in self.disks)

    def problems(self):
        out = []
        if self.schema != "ok":
            out.append("schema: %s" % self.schema)
        if not self.started:
            out.append("libvirt: %s" % self.libvirt)
        for d in self.disks:
            out.extend("%s: %s" % (d.dev, p) for p in d.problems)
        return out

    def report(self):
        lines = ["case %s (%.1f s): schema %s; libvirt %s" % (self.name, self.seconds,
                                                              self.schema, self.libvirt)]
        if self.started:
            lines += [d.report() for d in self.disks]
        return "\n".join(lines)


def _devices(elements):
    if isinstance(elements, str):
        text = elements.strip()
        if not text.startswith("<devices"):
            text = "<devices>%s</devices>" % text
        return ET.fromstring(text)
    devices = ET.Element("devices")
    for e in elements:
        if isinstance(e, str):
            devices.extend(list(_devices(e)))
        elif e.tag == "devices":
            devices.extend(list(e))
        else:
            devices.append(e)
    return devices


def _add_controllers(devices):
    """A virtio-scsi controller for scsi disks when none is given (libvirt
    would add an lsi one)."""
    if devices.find("./controller[@type='scsi']") is not None:
        return
    if any(d.find("target").get("bus") == "scsi" for d in devices.findall("disk")):
        devices.insert(0, ET.Element("controller", type="scsi", index="0", model="virtio-scsi"))


def _expected_chain(disk):
    """[(format, source)] from the top image down; source: ("file", path)
    or a network source (_network_source); [] for an empty drive."""
    chain = []
    node, fmt = disk, None
    driver = disk.find("driver")
    if driver is not None:
        fmt = driver.get("type")
    kind = disk.get("type")
    while node is not None:
        src = node.find("source")
        if src is None or not (src.get("file") or src.get("dev") or src.get("name")):
            break
        if kind == "network":
            where = _network_source(src)
        else:
            where = ("file", src.get("file") or src.get("dev"))
        chain.append((fmt, where))
        node = node.find("backingStore")
        if node is None:
            break
        kind = node.get("type")
        f = node.find("format")
        fmt = f.get("type") if f is not None else None
    return chain


def _network_source(src):
    """("iscsi", target, lun, "host:port"), ("rbd", "pool/image",
    "host:port") or ("gluster", "volume/path", "host:port")."""
    protocol = src.get("protocol")
    host = src.find("host")
    default = {"iscsi": "3260", "gluster": "24007", "rbd": "6789"}.get(protocol, "")
    addr = "%s:%s" % (host.get("name"), host.get("port", default)) if host is not None else ""
    if protocol == "iscsi":
        target, _, lun = src.get("name").rpartition("/")
        return ("iscsi", target, int(lun or 0), addr)
    return (protocol, src.get("name").lstrip("/"), addr)


def _opened_network(filename):
    """What qemu names in a json: filename of a network image: the same
    tuple as _network_source, or None."""
    if not filename or not filename.startswith("json:"):
        return None
    f = json.loads(filename[5:])
    f = f.get("file", f)
    driver = f.get("driver")
    if driver == "iscsi":
        return ("iscsi", f.get("target"), int(f.get("lun", 0)), f.get("portal"))
    servers = f.get("server") or [{"host": f.get("server.0.host"),
                                   "port": f.get("server.0.port")}]
    addr = "%s:%s" % (servers[0].get("host"), servers[0].get("port")) \
        if servers[0].get("host") else ""
    if driver == "rbd":
        return ("rbd", "%s/%s" % (f.get("pool"), f.get("image")), addr)
    if driver == "gluster":
        return ("gluster", "%s/%s" % (f.get("volume"), f.get("path", "").lstrip("/")), addr)
    return (driver,)


def _same_source(where, filename):
    if where[0] == "file":
        return None if filename == where[1] else "opened %s, the XML names %s" % (filename,
                                                                                  where[1])
    got = _opened_network(filename)
    if got is None:
        return "opened %s, not a %s source" % (filename, where[0])
    return None if got == where else "opened %s, the XML names %s" % (got, where)


def _short(filename):
    if filename and filename.startswith("json:"):
        f = json.loads(filename[5:])
        f = f.get("file", f)
        if f.get("driver") == "iscsi":
            auth = " with CHAP user %s" % f["user"] if f.get("user") else ""
            return "iscsi://%s/%s/%s%s" % (f.get("portal"), f.get("target"), f.get("lun"), auth)
        got = _opened_network(filename)
        if got and got[0] in ("rbd", "gluster"):
            auth = " with cephx user %s" % f["user"] if f.get("user") else ""
            return "%s://%s/%s%s" % (got[0], got[2], got[1], auth)
    return filename


def _first_line(text):
    text = text.strip()
    return text.splitlines()[0] if text else "(no message)"


def _libvirt_error(text):
    """virsh's error lines without the generic "Failed to ..." one."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    specific = [l for l in lines if not l.startswith("error: Failed to")]
    return " / ".join(specific or lines) or "(no message)"


def _log_lines(path):
    try:
        with open(path, errors="replace") as f:
            return f.readlines()
    except OSError:
        return []


def _is_process(pid, name):
    """Whether pid is alive and its command line names `name` (pids of
    processes started here only: guards against a reused pid)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return name.encode() in f.read()
    except OSError:
        return False


def _stop_pid(pid, name, timeout=10):
    if not _is_process(pid, name):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_process(pid, name) or _is_zombie(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def _is_zombie(pid):
    """Whether pid has exited (gone, or a zombie its parent has not reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True
