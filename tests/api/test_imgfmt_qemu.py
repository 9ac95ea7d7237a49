# SPDX-License-Identifier: LGPL-2.1-or-later
"""Image formats against qemu-img.

Images made by qemu-img in every format it can create here are probed
by our code (through imgprobe-tool) and the result is compared with
`qemu-img info --output=json`; qcow2 and raw images made by our code
must pass `qemu-img check` and read back the same in `qemu-img info`.
Skipped only when qemu-img is not installed (Debian package qemu-utils).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

TOOL = os.environ.get("STORVIRT_IMGPROBE", "imgprobe-tool")
QEMU_IMG = shutil.which("qemu-img")
QEMU_IO = shutil.which("qemu-io")
CRYPTSETUP = shutil.which("cryptsetup")
SECRET = ["--object", "secret,id=s0,data=abc"]
MiB = 1 << 20


# qemu-img times its LUKS key stretching with getrusage(); on a loaded
# machine that can read as zero and it gives up with this message.  That is
# the tool's measurement, not the image: try again.
QEMU_TIMING_FLAKE = "Unable to get accurate CPU usage"


def run(*args, check=True):
    for _ in range(5):
        p = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
        if p.returncode == 0 or QEMU_TIMING_FLAKE not in p.stderr:
            break
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


@unittest.skipUnless(QEMU_IMG, "qemu-img not installed (Debian package qemu-utils)")
class QemuTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="storvirt-imgfmt-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def qemu_create(self, fmt, name, size=None, opts=None, backing=None, backing_fmt=None, extra=()):
        args = [QEMU_IMG, "create", "-q", "-f", fmt, *extra]
        if opts:
            args += ["-o", opts]
        if backing:
            args += ["-b", backing, "-F", backing_fmt]
        args.append(self.path(name))
        if size is not None:
            args.append(str(size))
        run(*args)
        return self.path(name)

    def qemu_info(self, path, fmt=None, chain=False):
        args = [QEMU_IMG, "info", "--output=json", "-U"]
        if fmt:
            args += ["-f", fmt]
        if chain:
            args.append("--backing-chain")
        return json.loads(run(*args, path).stdout)

    def probe(self, path, fmt=None):
        args = [TOOL, "probe", path] + (["--format", fmt] if fmt else [])
        return json.loads(run(*args).stdout)

    def assert_same(self, ours, theirs, fmt=None):
        """Our probe result against one qemu-img info object."""
        self.assertEqual(ours["format"], fmt or theirs["format"])
        self.assertEqual(ours["virtual_size"], theirs["virtual-size"])
        self.assertEqual(ours["backing_file"], theirs.get("backing-filename"))
        self.assertEqual(ours["backing_format"], theirs.get("backing-filename-format", ""))
        self.assertEqual(ours["encrypted"], theirs.get("encrypted", False))
        # A vmdk descriptor file names its extents: their grain size is
        # in them, which we do not open.
        if "cluster-size" in theirs and not (ours["format"] == "vmdk" and ours["cluster_size"] == 0):
            self.assertEqual(ours["cluster_size"], theirs["cluster-size"])
        spec = theirs.get("format-specific", {})
        if spec.get("type") == "qcow2":
            data = spec["data"]
            self.assertEqual(ours["compat"], data["compat"])
            self.assertEqual(ours["lazy_refcounts"], data.get("lazy-refcounts", False))
            self.assertEqual(ours["extended_l2"], data.get("extended-l2", False))
            self.assertEqual(ours["data_file"], data.get("data-file"))
        if spec.get("type") == "vmdk":
            self.assertEqual(ours["subformat"], spec["data"]["create-type"])
        if spec.get("type") == "luks":
            self.assertEqual(ours["payload_offset"], spec["data"]["payload-offset"])

    def compare(self, path, fmt=None):
        ours = self.probe(path)
        self.assert_same(ours, self.qemu_info(path), fmt)
        return ours


class ProbeQemuImages(QemuTestCase):
    """Images made by qemu-img, probed by us, compared with qemu-img info."""

    def test_raw(self):
        self.compare(self.qemu_create("raw", "a.raw", 5 * MiB + 512))

    def test_qcow(self):
        self.compare(self.qemu_create("qcow", "a.qcow", 100 * MiB))
        self.qemu_create("raw", "base.raw", 10 * MiB)
        ours = self.compare(self.qemu_create("qcow", "b.qcow", backing="base.raw", backing_fmt="raw"))
        self.assertEqual(ours["backing_file"], "base.raw")

    def test_qcow2_compat(self):
        for compat in ("0.10", "1.1"):
            with self.subTest(compat=compat):
                ours = self.compare(self.qemu_create("qcow2", "c%s.qcow2" % compat, 3 << 30,
                                                     opts="compat=" + compat))
                self.assertEqual(ours["qcow2_version"], 2 if compat == "0.10" else 3)

    def test_qcow2_backing(self):
        self.qemu_create("raw", "base.raw", 64 * MiB)
        self.qemu_create("qcow2", "base.qcow2", 64 * MiB)
        for compat in ("0.10", "1.1"):
            for base, bfmt in (("base.raw", "raw"), ("base.qcow2", "qcow2")):
                with self.subTest(compat=compat, backing_format=bfmt):
                    name = "top-%s-%s.qcow2" % (compat, bfmt)
                    ours = self.compare(self.qemu_create("qcow2", name, opts="compat=" + compat,
                                                         backing=base, backing_fmt=bfmt))
                    self.assertEqual(ours["backing_format"], bfmt)

    def test_qcow2_features(self):
        cases = {
            "lazy.qcow2": "lazy_refcounts=on",
            "c512.qcow2": "cluster_size=512",
            "c2m.qcow2": "cluster_size=2M",
            "l2.qcow2": "extended_l2=on,cluster_size=128k",
            "df.qcow2": "data_file=%s" % self.path("df.raw"),
            "meta.qcow2": "preallocation=metadata",
        }
        for name, opts in cases.items():
            with self.subTest(opts=opts):
                self.compare(self.qemu_create("qcow2", name, 256 * MiB, opts=opts))

    def test_qcow2_encrypted(self):
        path = self.qemu_create("qcow2", "enc.qcow2", 32 * MiB, extra=SECRET,
                                opts="encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10")
        self.assertTrue(self.compare(path)["encrypted"])

    def test_qed(self):
        self.qemu_create("raw", "base.raw", 16 * MiB)
        self.qemu_create("qcow2", "base.qcow2", 32 * MiB)
        self.compare(self.qemu_create("qed", "plain.qed", 1 << 30))
        ours = self.compare(self.qemu_create("qed", "on-raw.qed", backing="base.raw", backing_fmt="raw"))
        self.assertEqual(ours["backing_format"], "raw")  # the no-probe flag
        ours = self.compare(self.qemu_create("qed", "on-qcow2.qed", backing="base.qcow2",
                                             backing_fmt="qcow2"))
        self.assertEqual(ours["backing_file"], "base.qcow2")
        self.assertEqual(ours["backing_format"], "")  # qed records no other format

    def test_vmdk(self):
        for sub in ("monolithicSparse", "monolithicFlat", "streamOptimized",
                    "twoGbMaxExtentSparse", "twoGbMaxExtentFlat"):
            with self.subTest(subformat=sub):
                ours = self.compare(self.qemu_create("vmdk", sub + ".vmdk", 100 * MiB,
                                                     opts="subformat=" + sub))
                self.assertEqual(ours["subformat"], sub)

    def test_vmdk_parent(self):
        self.qemu_create("vmdk", "base.vmdk", 200 * MiB)
        ours = self.compare(self.qemu_create("vmdk", "child.vmdk", backing="base.vmdk", backing_fmt="vmdk"))
        self.assertEqual(ours["backing_file"], "base.vmdk")
        self.assertEqual(ours["backing_format"], "vmdk")

    def test_vpc(self):
        for size in (100 * MiB, 3 << 30):
            with self.subTest(size=size):
                self.compare(self.qemu_create("vpc", "d%d.vhd" % size, size))
        ours = self.compare(self.qemu_create("vpc", "forced.vhd", 100 * MiB, opts="force_size=on"))
        self.assertEqual(ours["virtual_size"], 100 * MiB)

    def test_vpc_fixed(self):
        # A fixed VHD has its footer only at the end.  qemu-img probes it
        # as raw (it looks at offset 0 only); we recognise the footer when
        # its checksum, type and size all agree.  Size as qemu reads it
        # with -f vpc.
        path = self.qemu_create("vpc", "fixed.vhd", 100 * MiB, opts="subformat=fixed")
        self.assertEqual(self.qemu_info(path)["format"], "raw")
        ours = self.probe(path)
        self.assert_same(ours, self.qemu_info(path, fmt="vpc"), fmt="vpc")
        self.assertEqual(ours["subformat"], "fixed")
        self.assertEqual(ours["virtual_size"], os.path.getsize(path) - 512)

    def test_vdi(self):
        for opts in ("static=off", "static=on"):
            with self.subTest(opts=opts):
                ours = self.compare(self.qemu_create("vdi", opts[7:] + ".vdi", 100 * MiB, opts=opts))
                self.assertEqual(ours["subformat"], "static" if opts == "static=on" else "dynamic")

    def test_luks(self):
        path = self.qemu_create("luks", "a.luks", 64 * MiB, extra=SECRET,
                                opts="key-secret=s0,iter-time=10")
        ours = self.compare(path)
        self.assertEqual(ours["luks_version"], 1)
        self.assertEqual(ours["payload_offset"] + ours["virtual_size"], os.path.getsize(path))

    @unittest.skipUnless(CRYPTSETUP, "cryptsetup not installed: LUKS2 header not available")
    def test_luks2(self):
        # qemu-img reads LUKS2 as raw; check our reading against cryptsetup's.
        path = self.qemu_create("raw", "l2.img", 40 * MiB)
        subprocess.run([CRYPTSETUP, "luksFormat", "--type", "luks2", "--batch-mode", "--pbkdf", "pbkdf2",
                        "--pbkdf-force-iterations", "1000", "--key-file", "-", path],
                       input="abc", text=True, check=True, capture_output=True, timeout=120)
        dump = run(CRYPTSETUP, "luksDump", path).stdout
        offset = int(dump.split("offset:", 1)[1].split("[bytes]")[0].split()[0])
        ours = self.probe(path)
        self.assertEqual(ours["format"], "luks")
        self.assertEqual(ours["luks_version"], 2)
        self.assertEqual(ours["payload_offset"], offset)
        self.assertEqual(ours["virtual_size"], 40 * MiB - offset)

    def test_chain(self):
        os.mkdir(self.path("base"))
        os.mkdir(self.path("vm"))
        self.qemu_create("raw", "base/os.raw", 20 * MiB)
        self.qemu_create("qcow2", "base/mid.qcow2", backing="os.raw", backing_fmt="raw")
        self.qemu_create("qcow2", "vm/top.qcow2", opts="compat=0.10",
                         backing="../base/mid.qcow2", backing_fmt="qcow2")
        theirs = self.qemu_info(self.path("vm/top.qcow2"), chain=True)
        ours = json.loads(run(TOOL, "chain", self.path("vm/top.qcow2")).stdout)
        self.assertEqual(len(ours), len(theirs))
        for o, t in zip(ours, theirs):
            self.assert_same(o, t)
            self.assertEqual(os.path.realpath(o["filename"]), os.path.realpath(t["filename"]))


class QemuChecksOurImages(QemuTestCase):
    """qcow2 and raw images made by our code, checked and read by qemu-img."""

    def create(self, name, size, *opts):
        path = self.path(name)
        run(TOOL, "create-qcow2", path, str(size), *opts)
        return path

    def check(self, path):
        p = run(QEMU_IMG, "check", "--output=json", path, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        result = json.loads(p.stdout)
        self.assertEqual(result.get("check-errors", 0), 0)
        self.assertEqual(result.get("corruptions", 0), 0)
        self.assertEqual(result.get("leaks", 0), 0)
        return result

    def check_and_compare(self, path, size, cluster=65536, compat="1.1", lazy=False, backing=None,
                          backing_fmt=None):
        result = self.check(path)
        info = self.qemu_info(path)
        self.assertEqual(info["format"], "qcow2")
        self.assertEqual(info["virtual-size"], size)
        self.assertEqual(info["cluster-size"], cluster)
        data = info["format-specific"]["data"]
        self.assertEqual(data["compat"], compat)
        self.assertEqual(data.get("lazy-refcounts", False), lazy)
        self.assertEqual(info.get("backing-filename"), backing)
        self.assertEqual(info.get("backing-filename-format"), backing_fmt)
        self.assert_same(self.probe(path), info)
        return result

    def test_qcow2_defaults(self):
        self.check_and_compare(self.create("a.qcow2", 1 << 30), 1 << 30)

    def test_qcow2_compat_010(self):
        self.check_and_compare(self.create("b.qcow2", 10 << 30, "--compat", "0.10"), 10 << 30,
                               compat="0.10")

    def test_qcow2_cluster_sizes(self):
        for c in (512, 4096, 65536, 2 << 20):
            with self.subTest(cluster_size=c):
                path = self.create("c%d.qcow2" % c, 3 << 30, "--cluster-size", str(c))
                self.check_and_compare(path, 3 << 30, cluster=c)

    def test_qcow2_lazy_refcounts(self):
        path = self.create("lazy.qcow2", 1 << 30, "--lazy-refcounts")
        self.check_and_compare(path, 1 << 30, lazy=True)

    def test_qcow2_backing(self):
        self.qemu_create("raw", "base.raw", 64 * MiB)
        self.qemu_create("qcow2", "base.qcow2", 64 * MiB, opts="compat=0.10")
        for compat in ("0.10", "1.1"):
            for base, bfmt in (("base.raw", "raw"), ("base.qcow2", "qcow2")):
                with self.subTest(compat=compat, backing_format=bfmt):
                    path = self.create("top-%s-%s.qcow2" % (compat, bfmt), 64 * MiB, "--compat", compat,
                                       "--backing", base, "--backing-format", bfmt)
                    self.check_and_compare(path, 64 * MiB, compat=compat, backing=base, backing_fmt=bfmt)
                    chain = self.qemu_info(path, chain=True)
                    self.assertEqual([i["format"] for i in chain], ["qcow2", bfmt])

    def test_qcow2_prealloc_metadata(self):
        for size, cluster in ((256 * MiB, 65536), (8 * MiB, 512), (10 * MiB + 512, 2 << 20)):
            with self.subTest(size=size, cluster=cluster):
                path = self.create("p%d.qcow2" % cluster, size, "--prealloc-metadata",
                                   "--cluster-size", str(cluster))
                result = self.check_and_compare(path, size, cluster=cluster)
                self.assertEqual(result["allocated-clusters"], -(-size // cluster))

    def test_qcow2_size_zero(self):
        self.check_and_compare(self.create("zero.qcow2", 0), 0)

    @unittest.skipUnless(QEMU_IO, "qemu-io not installed")
    def test_qcow2_data_round_trip(self):
        # qemu writes through our metadata; qemu-img compare reads it back.
        self.qemu_create("raw", "base.raw", 8 * MiB)
        run(QEMU_IO, "-f", "raw", "-c", "write -P 0x11 0 8M", self.path("base.raw"))
        for i, opts in enumerate(((), ("--compat", "0.10", "--cluster-size", "4096"),
                                  ("--prealloc-metadata",),
                                  ("--backing", "base.raw", "--backing-format", "raw"))):
            with self.subTest(opts=opts):
                path = self.create("w%d.qcow2" % i, 8 * MiB, *opts)
                run(QEMU_IO, "-f", "qcow2", "-c", "write -P 0xab 1M 3M", path)
                self.check(path)
                ref = self.path("ref.raw")
                if os.path.exists(ref):
                    os.unlink(ref)
                run(QEMU_IMG, "convert", "-O", "raw", path, ref)
                with open(ref, "rb") as f:
                    data = f.read()
                fill = b"\x11" if "--backing" in opts else b"\0"
                self.assertEqual(data[:MiB], fill * MiB)
                self.assertEqual(data[MiB:4 * MiB], b"\xab" * (3 * MiB))
                self.assertEqual(data[4 * MiB:], fill * (4 * MiB))

    def test_qcow2_bad_options(self):
        for opts, msg in ((("--cluster-size", "1000"), "cluster_size 1000: not a power of two"),
                          (("--compat", "0.10", "--lazy-refcounts"), "lazy_refcounts: needs compat 1.1"),
                          (("--backing", "b.raw"), "backing_format: required with backing_file"),
                          (("--backing", "b.raw", "--backing-format", "qcow3"), "unknown format")):
            with self.subTest(opts=opts):
                p = run(TOOL, "create-qcow2", self.path("bad.qcow2"), str(MiB), *opts, check=False)
                self.assertEqual(p.returncode, 1)
                self.assertIn(msg, p.stderr)
                self.assertFalse(os.path.exists(self.path("bad.qcow2")))

    def test_raw(self):
        for opts, zeros in (((), False), (("--prealloc",), True), (("--zeros",), True)):
            with self.subTest(opts=opts):
                path = self.path("r%d.raw" % len(opts[0] if opts else ""))
                p = run(TOOL, "create-raw", path, str(5 * MiB + 512), *opts)
                info = self.qemu_info(path)
                self.assertEqual(info["format"], "raw")
                self.assertEqual(info["virtual-size"], 5 * MiB + 512)
                if zeros:
                    self.assertGreaterEqual(info["actual-size"], 5 * MiB)
                    self.assertTrue(p.stdout.rstrip().endswith("progress %d %d" % (5 * MiB + 512,
                                                                                    5 * MiB + 512)))
                else:
                    self.assertLess(info["actual-size"], MiB)
                self.assert_same(self.probe(path), info)


if __name__ == "__main__":
    unittest.main()
