# SPDX-License-Identifier: LGPL-2.1-or-later
"""Encrypted volumes end to end through the storvirt CLI, judged by qemu-img.

A dir pool in a temporary directory with its own state directory; the
passphrase of each volume is the value of a secret defined with
secret-define.  For every encrypted volume built (raw LUKS, raw LUKS with
a cipher, qcow2 with LUKS-encrypted data): qemu-img info shows the
encryption, qemu-img opens the image with the passphrase and refuses it
with a wrong one or none.  Settings that cannot be built are refused,
naming them, and leave no file.

No passphrase may show anywhere: a qemu-img stub first in PATH logs the
argv and the environment of every qemu-img the library runs (and the
mode of the file it was given the passphrase in) before running the real
one; every command runs with STORVIRT_DEBUG=1, and everything it prints
(XML, JSON, debug log, errors) is searched too.
"""
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
QEMU_IMG = shutil.which("qemu-img")
JUDGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts",
                     "libvirt-judge-disks.py")
EOPNOTSUPP = 95
EINVAL = 22
ENOENT = 2
EEXIST = 17
EIO = 5

STUB = r"""#!/bin/bash
# logs what the library gave qemu-img, then runs the real one
{
  printf 'ARGV'; printf ' %%s' "$@"; printf '\n'
  env | sed 's/^/ENV /'
  for a in "$@"; do
    case "$a" in
      secret,*file=*)
        f=${a##*file=}; f=${f%%%%,*}
        printf 'SECRETFILE %%s %%s %%s\n' "$f" "$(stat -L -c %%a "$f")" "$(readlink "$f")";;
    esac
  done
} >> %(log)s
exec %(real)s "$@"
"""


class EncryptionBase(unittest.TestCase):
    """A dir pool, a qemu-img stub and the helpers; with_secret: a secret is defined."""
    with_secret = True

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-enc-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool")
        self.bin = os.path.join(self.tmp, "bin")
        self.log = os.path.join(self.tmp, "qemu-img.log")
        os.mkdir(self.bin)
        with open(os.path.join(self.bin, "qemu-img"), "w") as f:
            f.write(STUB % {"log": self.log, "real": QEMU_IMG})
        os.chmod(os.path.join(self.bin, "qemu-img"), 0o755)
        # the passphrase: found nowhere but in the secret store (hex) and in qemu-img's file
        self.passphrase = "pw-%s-Zq" % secrets.token_hex(12)
        self.outputs = []
        self.ok("pool-define-as", "p", "dir", "--target", self.target)
        self.ok("pool-build", "p")
        self.ok("pool-start", "p")
        self.uuid = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"
        if self.with_secret:
            self.uuid = self.define_secret(self.passphrase, usage=self.vol("a.raw"))

    def tearDown(self):
        self.assert_no_leak()
        self._tmp.cleanup()

    # -- running things ----------------------------------------------------

    def env(self):
        e = dict(os.environ)
        e.pop("STORVIRT_STATE_DIR", None)
        e["STORVIRT_DEBUG"] = "1"
        e["PATH"] = self.bin + os.pathsep + e.get("PATH", "")
        return e

    def run_cli(self, *args, pass_fds=()):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=self.env(), timeout=300, pass_fds=pass_fds)
        self.outputs.append((args, p.stdout + p.stderr))
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, **kw):
        rc, out, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        return out

    def js(self, *args):
        doc = json.loads(self.ok("--json", *args))
        self.assertEqual(doc["status"]["code"], 0)
        return doc

    def fails(self, code, *args):
        """A command that must fail with errno code; returns its message."""
        rc, out, err = self.run_cli("--json", *args)
        self.assertEqual(rc, 1, "storvirt %s succeeded: %s" % (" ".join(args), out))
        status = json.loads(out)["status"]
        self.assertEqual(status["code"], code, status["message"])
        return status["message"]

    def vol(self, name):
        return os.path.join(self.target, name)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def define_secret(self, value, usage=None, uuid=None):
        doc = "<secret ephemeral='no' private='yes'>"
        if uuid:
            doc += "<uuid>%s</uuid>" % uuid
        if usage:
            doc += "<usage type='volume'><volume>%s</volume></usage>" % usage
        doc += "</secret>"
        value_file = self.write("value", value)
        os.chmod(value_file, 0o600)
        out = self.js("secret-define", "--value-file", value_file, self.write("s.xml", doc))
        os.unlink(value_file)
        return out["uuid"]

    def create(self, name, fmt, encryption, capacity="16M"):
        return self.run_cli("vol-create", "p", self.write(
            "v.xml", "<volume><name>%s</name><capacity unit='%s'>%s</capacity><target>"
            "<format type='%s'/>%s</target></volume>"
            % (name, capacity[-1], capacity[:-1], fmt, encryption)))

    def encryption(self, ref=None, extra=""):
        return ("<encryption format='luks'><secret type='passphrase' %s/>%s</encryption>"
                % (ref or "uuid='%s'" % self.uuid, extra))

    def qemu_info(self, name):
        out = subprocess.run([QEMU_IMG, "info", "--output=json", "-U", self.vol(name)],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def opens(self, name, driver, passphrase):
        """Whether qemu-img can read the image's data with this passphrase (None: no secret)."""
        key = "key-secret" if driver == "luks" else "encrypt.key-secret"
        opts = "driver=%s,file.filename=%s" % (driver, self.vol(name))
        args = [QEMU_IMG, "dd", "-O", "raw", "--image-opts"]
        if passphrase is not None:
            pf = self.write("pf", passphrase)
            os.chmod(pf, 0o600)
            args += ["--object", "secret,id=s,file=" + pf]
            opts += ",%s=s" % key
        out = os.path.join(self.tmp, "first-block")
        p = subprocess.run(args + ["if=" + opts, "of=" + out, "bs=65536", "count=1"],
                           capture_output=True, text=True)
        if os.path.exists(out):
            os.unlink(out)
        return p.returncode == 0

    def dumpxml_encryption(self, name):
        root = ET.fromstring(self.ok("vol-dumpxml", "--pool", "p", name))
        return root.find("target/format").get("type"), root.find("target/encryption")

    def assert_no_leak(self):
        hexed = self.passphrase.encode().hex()
        for args, text in self.outputs:
            self.assertNotIn(self.passphrase, text, "storvirt %s printed it" % " ".join(args))
            self.assertNotIn(hexed, text, "storvirt %s printed it" % " ".join(args))
        if not os.path.exists(self.log):
            return
        with open(self.log) as f:
            log = f.read()
        self.assertNotIn(self.passphrase, log, "on qemu-img's command line or in its environment")
        self.assertNotIn(hexed, log)
        for line in log.splitlines():
            if line.startswith("SECRETFILE "):
                _, path, mode, target = line.split(" ", 3)
                self.assertTrue(path.startswith("/proc/self/fd/"), line)
                self.assertEqual(mode, "600", line)
                # an unnamed file: nothing left to remove
                self.assertTrue(target.endswith("(deleted)"), line)

    def assert_encrypted_volume(self, name, driver, capacity):
        info = self.qemu_info(name)
        self.assertEqual(info["format"], driver)
        self.assertTrue(info.get("encrypted"), info)
        self.assertEqual(info["virtual-size"], capacity)
        self.assertTrue(self.opens(name, driver, self.passphrase))
        self.assertFalse(self.opens(name, driver, self.passphrase + "x"))
        self.assertFalse(self.opens(name, driver, None))
        return info


@unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
class NoSilentDropTest(EncryptionBase):
    """What an earlier release did: <encryption> dropped, a plain file made, status 0."""
    with_secret = False

    def test_legacy_qcow_refused(self):
        for fmt in ("qcow2", "raw"):
            with self.subTest(fmt=fmt):
                msg = self.fails(EOPNOTSUPP, "vol-create", "p", self.write(
                    "v.xml", "<volume><name>l.img</name><capacity>1048576</capacity><target>"
                    "<format type='%s'/><encryption format='qcow'><secret type='passphrase' "
                    "uuid='%s'/></encryption></target></volume>" % (fmt, self.uuid)))
                self.assertIn("legacy qcow encryption is insecure and not supported", msg)
                self.assertEqual(os.listdir(self.target), [])

    def test_luks_without_its_secret_is_never_built_plain(self):
        for fmt in ("raw", "qcow2"):
            with self.subTest(fmt=fmt):
                msg = self.fails(ENOENT, "vol-create", "p", self.write(
                    "v.xml", "<volume><name>l.img</name><capacity>1048576</capacity><target>"
                    "<format type='%s'/>%s</target></volume>" % (fmt, self.encryption())))
                self.assertIn("no secret with UUID %s is defined" % self.uuid, msg)
                self.assertEqual(os.listdir(self.target), [])


@unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
class VolEncryptionTest(EncryptionBase):
    # -- building ------------------------------------------------------------

    def test_raw_luks(self):
        rc, out, err = self.create("a.raw", "raw", self.encryption())
        self.assertEqual(rc, 0, err)
        self.assert_encrypted_volume("a.raw", "luks", 16 << 20)
        self.assertEqual(stat.S_IMODE(os.stat(self.vol("a.raw")).st_mode), 0o600)
        # reported as libvirt reports it: a raw volume with <encryption format='luks'>
        fmt, enc = self.dumpxml_encryption("a.raw")
        self.assertEqual(fmt, "raw")
        self.assertEqual(enc.get("format"), "luks")
        self.assertEqual(enc.find("secret").attrib, {"type": "passphrase", "uuid": self.uuid})
        self.assertEqual(enc.find("cipher").attrib,
                         {"name": "aes", "size": "256", "mode": "xts", "hash": "sha256"})
        info = self.js("vol-info", "--pool", "p", "a.raw")
        self.assertEqual(info["capacity"], 16 << 20)
        self.assertIsNone(info.get("warning"))
        with open(self.log) as f:
            self.assertIn("--object secret,id=sec0,file=/proc/self/fd/", f.read())

    def test_raw_luks_cipher(self):
        extra = ("<cipher name='aes' size='128' mode='cbc' hash='sha256'/>"
                 "<ivgen name='essiv' hash='sha256'/>")
        rc, out, err = self.create("c.raw", "raw", self.encryption(extra=extra))
        self.assertEqual(rc, 0, err)
        info = self.assert_encrypted_volume("c.raw", "luks", 16 << 20)
        data = info["format-specific"]["data"]
        self.assertEqual((data["cipher-alg"], data["cipher-mode"], data["hash-alg"],
                          data["ivgen-alg"], data["ivgen-hash-alg"]),
                         ("aes-128", "cbc", "sha256", "essiv", "sha256"))
        _, enc = self.dumpxml_encryption("c.raw")
        self.assertEqual(enc.find("cipher").attrib,
                         {"name": "aes", "size": "128", "mode": "cbc", "hash": "sha256"})
        self.assertEqual(enc.find("ivgen").attrib, {"name": "essiv", "hash": "sha256"})

    def test_qcow2_luks_by_usage(self):
        # named by the usage of the secret (a volume path), as libvirt looks it up
        ref = "usage='%s'" % self.vol("a.raw")
        rc, out, err = self.create("q.qcow2", "qcow2", self.encryption(ref=ref))
        self.assertEqual(rc, 0, err)
        info = self.assert_encrypted_volume("q.qcow2", "qcow2", 16 << 20)
        self.assertEqual(info["format-specific"]["data"]["encrypt"]["format"], "luks")
        fmt, enc = self.dumpxml_encryption("q.qcow2")
        self.assertEqual(fmt, "qcow2")
        self.assertEqual(enc.get("format"), "luks")
        self.assertEqual(enc.find("secret").attrib, {"type": "passphrase", "uuid": self.uuid})

    def test_refusals_name_the_setting(self):
        u = self.uuid
        cases = (
            (ENOENT, "raw", "<encryption format='luks'><secret type='passphrase' "
             "uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d60'/></encryption>",
             "no secret with UUID 0a81f5b2-8403-7b23-c8d6-21ccc2f80d60 is defined"),
            (ENOENT, "raw", "<encryption format='luks'><secret type='passphrase' "
             "usage='/nowhere'/></encryption>", "no secret of usage volume '/nowhere'"),
            (EINVAL, "raw", "<encryption format='luks'/>",
             "needs a <secret type='passphrase'>"),
            (EOPNOTSUPP, "raw", "<encryption format='luks2'><secret type='passphrase' "
             "uuid='%s'/></encryption>" % u, "format 'luks2'"),
            (EOPNOTSUPP, "raw", "<encryption format='luks' engine='librbd'><secret "
             "type='passphrase' uuid='%s'/></encryption>" % u, "engine 'librbd'"),
            (EOPNOTSUPP, "vmdk", self.encryption(), "vmdk volumes cannot be encrypted"),
            (EOPNOTSUPP, "raw", self.encryption(
                extra="<cipher name='aes' size='192' mode='cbc' hash='sha256'/>"
                      "<ivgen name='plain64'/>"), "<cipher size='192' mode='cbc'>"),
            (EOPNOTSUPP, "raw", self.encryption(
                extra="<cipher name='aes' size='256' mode='cbc' hash='sha256'/>"
                      "<ivgen name='plain64' hash='sha256'/>"),
             "<ivgen name='plain64' hash='sha256'>: only essiv uses a hash"),
            (EOPNOTSUPP, "raw", self.encryption(
                extra="<cipher name='cast5' size='128' mode='xts' hash='sha256'/>"
                      "<ivgen name='plain64'/>"), "<cipher mode='xts'>"),
            (EOPNOTSUPP, "raw", self.encryption(
                extra="<cipher name='aes' size='256' mode='cbc' hash='sha256'/>"
                      "<ivgen name='essiv' hash='sha512'/>"),
             "<ivgen name='essiv' hash='sha512'>"),
            (EOPNOTSUPP, "raw", self.encryption(
                extra="<cipher name='des' size='64' mode='cbc' hash='sha256'/>"
                      "<ivgen name='plain64'/>"), "<cipher name='des'>"),
        )
        for code, fmt, enc, needle in cases:
            with self.subTest(needle=needle):
                msg = self.fails(code, "vol-create", "p", self.write(
                    "v.xml", "<volume><name>r.img</name><capacity>1048576</capacity><target>"
                    "<format type='%s'/>%s</target></volume>" % (fmt, enc)))
                self.assertIn(needle, msg)
                self.assertIn("volume 'r.img'", msg)
                self.assertEqual(os.listdir(self.target), [])

    def test_a_copy_is_not_encrypted_on_request(self):
        self.assertEqual(self.create("a.raw", "raw", "")[0], 0)
        msg = self.fails(EOPNOTSUPP, "vol-create-from", "p", self.write(
            "v.xml", "<volume><name>b.raw</name><target><format type='raw'/>%s</target>"
            "</volume>" % self.encryption()), "a.raw", "--inputpool", "p")
        self.assertIn("<encryption> on a volume created as a copy is not supported unless "
                      "it is the source's", msg)
        self.assertEqual(sorted(os.listdir(self.target)), ["a.raw"])

    # -- handing out ---------------------------------------------------------

    def resolve(self, spec, *opts):
        return self.run_cli("resolve", *opts, self.write("spec.json", json.dumps(spec)))

    def judge(self, disk_xml, name):
        """libvirt's schema and test driver must take the <disk> and give it back whole."""
        if not (shutil.which("virt-xml-validate") and shutil.which("virsh")):
            return
        d = os.path.join(self.tmp, "judge-" + name)
        os.mkdir(d)
        with open(os.path.join(d, name + ".xml"), "w") as f:
            f.write("<domain type='test'><name>%s</name><memory>65536</memory><vcpu>1</vcpu>"
                    "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>\n"
                    % (name, disk_xml))
        p = subprocess.run([JUDGE, d], capture_output=True, text=True)
        if p.returncode == 77:
            return
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def source_encryption(self, disk_xml):
        enc = ET.fromstring(disk_xml).find("source/encryption")
        self.assertIsNotNone(enc, disk_xml)
        self.assertEqual(enc.get("format"), "luks")
        self.assertEqual(enc.find("secret").attrib, {"type": "passphrase", "uuid": self.uuid})

    def test_resolve_and_vdisk_xml(self):
        self.assertEqual(self.create("a.raw", "raw", self.encryption())[0], 0)
        self.assertEqual(self.create("q.qcow2", "qcow2", self.encryption())[0], 0)
        for name in ("a.raw", "q.qcow2"):
            with self.subTest(name=name):
                rc, out, err = self.resolve({"pool": "p", "volume": name})
                self.assertEqual(rc, 0, err)
                self.source_encryption(out)
                self.judge(out, name.replace(".", "-"))
                rc, out, err = self.resolve({"path": self.vol(name)})
                self.assertEqual(rc, 0, err)
                self.source_encryption(out)
        # the device dict has no key for the secret: refused, not dropped
        rc, out, err = self.resolve({"pool": "p", "volume": "a.raw"}, "--dict")
        self.assertEqual(rc, 1)
        self.assertIn("no key for its secret", err)
        vdisk = self.js("vdisk-import", "--pool", "p", "--volume", "a.raw")["id"]
        out = self.ok("vdisk-xml", vdisk)
        self.source_encryption(out)
        self.judge(out, "vdisk")
        # an overlay would keep the guest's writes unencrypted
        msg = self.fails(EOPNOTSUPP, "vdisk-snapshot", vdisk)
        self.assertIn("is encrypted", msg)
        # without its secret nothing is handed out
        self.ok("secret-undefine", self.uuid)
        msg = self.fails(ENOENT, "vdisk-xml", vdisk)
        self.assertIn("no secret with UUID %s is defined" % self.uuid, msg)
        rc, out, err = self.resolve({"pool": "p", "volume": "q.qcow2"})
        self.assertEqual(rc, 1)
        self.assertIn("no secret with UUID %s is defined" % self.uuid, err)
        self.assertIn("no secret with UUID", self.js("vol-info", "--pool", "p",
                                                      "q.qcow2")["warning"])

    def test_luks_file_made_elsewhere(self):
        pf = self.write("pf", self.passphrase)
        os.chmod(pf, 0o600)
        for attempt in range(5):    # qemu's key derivation timing fails now and then
            p = subprocess.run([QEMU_IMG, "create", "-q", "-f", "luks", "--object",
                                "secret,id=s,file=" + pf, "-o", "key-secret=s",
                                self.vol("x.img"), "4M"], capture_output=True, text=True)
            if p.returncode == 0 or "accurate CPU" not in p.stderr:
                break
        self.assertEqual(p.returncode, 0, p.stderr)
        os.unlink(pf)
        self.ok("pool-refresh", "p")
        fmt, enc = self.dumpxml_encryption("x.img")
        self.assertEqual(fmt, "raw")
        self.assertEqual(enc.get("format"), "luks")
        self.assertIsNone(enc.find("secret"))
        self.assertEqual(self.js("vol-info", "--pool", "p", "x.img")["capacity"], 4 << 20)
        rc, out, err = self.resolve({"pool": "p", "volume": "x.img"})
        self.assertEqual(rc, 1, out)
        self.assertIn("is encrypted (luks), and no secret for it is known", err)

    # -- living on -------------------------------------------------------------

    def test_resize_wipe_clone_keep_it_encrypted(self):
        self.assertEqual(self.create("a.raw", "raw", self.encryption(), capacity="8M")[0], 0)
        self.assertEqual(self.create("q.qcow2", "qcow2", self.encryption(), capacity="8M")[0], 0)
        self.ok("vol-resize", "--pool", "p", "a.raw", "12M")
        self.ok("vol-resize", "--pool", "p", "q.qcow2", "12M")
        self.assert_encrypted_volume("a.raw", "luks", 12 << 20)
        self.assert_encrypted_volume("q.qcow2", "qcow2", 12 << 20)
        self.ok("vol-wipe", "--pool", "p", "a.raw")
        self.ok("vol-wipe", "--pool", "p", "q.qcow2")
        self.assert_encrypted_volume("a.raw", "luks", 12 << 20)
        self.assert_encrypted_volume("q.qcow2", "qcow2", 12 << 20)
        self.ok("vol-clone", "--pool", "p", "a.raw", "b.raw")
        self.assert_encrypted_volume("b.raw", "luks", 12 << 20)
        _, enc = self.dumpxml_encryption("b.raw")
        self.assertEqual(enc.find("secret").get("uuid"), self.uuid)

    # -- secrets ---------------------------------------------------------------

    def test_secret_commands(self):
        listed = self.js("secret-list")["secrets"]
        self.assertEqual(listed, [{"uuid": self.uuid, "usage": "volume " + self.vol("a.raw"),
                                   "usage_type": "volume", "usage_id": self.vol("a.raw")}])
        doc = ET.fromstring(self.ok("secret-dumpxml", self.uuid))
        self.assertEqual(doc.findtext("uuid"), self.uuid)
        self.assertEqual(doc.get("ephemeral"), "no")
        # kept as CHAP passwords are: mode 0600 files in a 0700 directory
        store = os.path.join(self.state, "secret-store")
        self.assertEqual(stat.S_IMODE(os.stat(store).st_mode), 0o700)
        for name in os.listdir(store):
            if name.endswith(".json"):
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(store, name)).st_mode), 0o600)
        # a value from an inherited file descriptor; a redefinition keeps the value
        doc = "<secret><uuid>%s</uuid><description>x</description></secret>"
        u2 = "5b5e2a5a-0e7b-4a0c-9d2b-7c1f3e4d5a6b"
        r, w = os.pipe()
        os.write(w, b"second-value")
        os.close(w)
        rc, out, err = self.run_cli("--json", "secret-define", "--value-fd", str(r),
                                    self.write("s2.xml", doc % u2), pass_fds=(r,))
        os.close(r)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["uuid"], u2)
        self.ok("secret-define", self.write("s2.xml", doc % u2))
        self.assertEqual(self.create("b.raw", "raw", self.encryption(ref="uuid='%s'" % u2),
                                     capacity="4M")[0], 0)
        self.assertTrue(self.opens("b.raw", "luks", "second-value"))
        # one usage, one secret; a UUID keeps its usage
        msg = self.fails(EEXIST, "secret-define", self.write(
            "s3.xml", "<secret><usage type='volume'><volume>%s</volume></usage></secret>"
            % self.vol("a.raw")))
        self.assertIn("already has usage volume", msg)
        msg = self.fails(EEXIST, "secret-define", self.write(
            "s3.xml", "<secret><uuid>%s</uuid></secret>" % self.uuid))
        self.assertIn("already defined for usage volume", msg)
        msg = self.fails(EOPNOTSUPP, "secret-define", self.write(
            "s3.xml", "<secret ephemeral='yes'/>"))
        self.assertIn("ephemeral='yes'", msg)
        # no value, no volume
        u3 = self.js("secret-define", self.write("s3.xml", "<secret/>"))["uuid"]
        msg = self.fails(ENOENT, "vol-create", "p", self.write(
            "v.xml", "<volume><name>n.raw</name><capacity>1048576</capacity><target>%s"
            "</target></volume>" % self.encryption(ref="uuid='%s'" % u3)))
        self.assertIn("has no value", msg)
        self.ok("secret-undefine", u2)
        self.fails(ENOENT, "secret-undefine", u2)
        self.assertEqual(sorted(s["uuid"] for s in self.js("secret-list")["secrets"]),
                         sorted([self.uuid, u3]))


FAILING_STUB = r"""#!/bin/bash
# qemu-img create fails the first %(fails)d times, saying %(message)s;
# then the real one runs, and its outcome is counted too (it may itself
# say that it measured no CPU time)
if [ "$1" = create ]; then
  if [ "$(cat %(count)s 2>/dev/null | wc -l)" -lt %(fails)d ]; then
    echo stub >> %(count)s
    echo "qemu-img: %(message)s" >&2
    exit 1
  fi
  %(real)s "$@"
  rc=$?
  echo "real-$rc" >> %(count)s
  exit $rc
fi
exec %(real)s "$@"
"""


@unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
class KeyTimingTest(EncryptionBase):
    """qemu-img create runs again only when qemu's key-derivation benchmark measured no time."""

    def stub(self, message, fails):
        self.count = os.path.join(self.tmp, "creates")
        with open(os.path.join(self.bin, "qemu-img"), "w") as f:
            f.write(FAILING_STUB % {"fails": fails, "message": message, "count": self.count,
                                    "real": QEMU_IMG})

    def runs(self):
        with open(self.count) as f:
            return f.read().split()

    def creates(self):
        return len(self.runs())

    def test_unmeasured_time_runs_again(self):
        self.stub("Unable to get accurate CPU usage", 2)
        rc, out, err = self.create("a.raw", "raw", self.encryption())
        self.assertEqual(rc, 0, err)
        # the two refusals, then the real qemu-img until it succeeds (it can
        # itself measure no time, and then it runs again too)
        runs = self.runs()
        self.assertEqual(runs[:2], ["stub", "stub"])
        self.assertEqual(runs[-1], "real-0")
        self.assertTrue(all(r == "real-1" for r in runs[2:-1]), runs)
        self.assert_encrypted_volume("a.raw", "luks", 16 << 20)

    def test_other_failures_do_not(self):
        self.stub("Could not create image: Permission denied", 1)
        msg = self.fails(EIO, "vol-create", "p", self.write(
            "v.xml", "<volume><name>a.raw</name><capacity>1048576</capacity><target>"
            "<format type='raw'/>%s</target></volume>" % self.encryption()))
        self.assertIn("Permission denied", msg)
        self.assertEqual(self.creates(), 1)
        self.assertEqual(os.listdir(self.target), [])


if __name__ == "__main__":
    unittest.main()
