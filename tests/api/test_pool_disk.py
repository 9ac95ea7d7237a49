# SPDX-License-Identifier: LGPL-2.1-or-later
"""disk pools on real partition tables: image files (any user) and loop
devices (root).  What the library reports — volumes, their keys and
extents, the pool's free extents and figures — is compared with what
sfdisk(8) reads from the same table, and tables the library wrote are
read back by sfdisk.

Environment: STORVIRT_CLI."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
SFDISK = shutil.which("sfdisk") or "/usr/sbin/sfdisk"
LOSETUP = shutil.which("losetup") or "/usr/sbin/losetup"
MiB = 1 << 20


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def sfdisk_json(dev):
    p = subprocess.run([SFDISK, "--json", dev], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)["partitiontable"]


def sfdisk_free(dev):
    """Free extents as sfdisk -F sees them: [(start, end)] in bytes, end exclusive."""
    p = subprocess.run([SFDISK, "-F", "--bytes", dev], capture_output=True, text=True,
                       check=True)
    out, seen = [], False
    for line in p.stdout.splitlines():
        f = line.split()
        if f[:2] == ["Start", "End"]:
            seen = True
            continue
        if seen and len(f) >= 3:
            out.append((int(f[0]) * 512, (int(f[1]) + 1) * 512))
    return out


class DiskPoolBase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-disk-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args):
        return subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                              env=clean_env(), timeout=120)

    def ok(self, *args):
        p = self.run_cli(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def fails(self, args, *needles):
        p = self.run_cli(*args)
        self.assertEqual(p.returncode, 1, "%s succeeded: %s" % (args, p.stdout))
        for n in needles:
            self.assertIn(n, p.stderr)
        return p.stderr

    def image(self, name, size):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.truncate(size)
        return path

    def define(self, name, device, fmt):
        xml = os.path.join(self.tmp, name + ".xml")
        fmt_el = "<format type='%s'/>" % fmt if fmt else ""
        with open(xml, "w") as f:
            f.write("<pool type='disk'><name>%s</name><source><device path='%s'/>%s</source>"
                    "<target><path>/dev</path></target></pool>" % (name, device, fmt_el))
        self.ok("pool-define", xml)

    def pool_xml(self, pool):
        return ET.fromstring(self.ok("pool-dumpxml", pool))

    def pool_free(self, pool):
        dev = self.pool_xml(pool).find("source/device")
        return [(int(e.get("start")), int(e.get("end"))) for e in dev.findall("freeExtent")]

    def volumes(self, pool):
        """name -> (key, path, format, capacity, (device, start, end))"""
        out = {}
        for v in json.loads(self.ok("--json", "vol-list", pool))["volumes"]:
            x = ET.fromstring(self.ok("vol-dumpxml", v["name"], "--pool", pool))
            d = x.find("source/device")
            e = d.find("extent")
            out[x.findtext("name")] = (x.findtext("key"), x.findtext("target/path"),
                                       x.find("target/format").get("type"),
                                       int(x.findtext("capacity")),
                                       (d.get("path"), int(e.get("start")), int(e.get("end"))))
        return out

    def assert_agrees(self, pool, dev):
        """The pool's volumes, extents and free space are what sfdisk reads."""
        table = sfdisk_json(dev)
        vols = self.volumes(pool)
        self.assertEqual(len(vols), len(table.get("partitions", [])), vols)
        ptuuid = table["id"].lower()
        by_start = {v[4][1]: (n, v) for n, v in vols.items()}
        for p in table.get("partitions", []):
            start, size = p["start"] * 512, p["size"] * 512
            self.assertIn(start, by_start, "partition %s at %d not reported" % (p["node"], start))
            name, (key, path, fmt, cap, ext) = by_start[start]
            self.assertEqual(cap, size, name)
            self.assertEqual(ext, (dev, start, start + size), name)
            self.assertTrue(p["node"].endswith(name), (p["node"], name))
            if table["label"] == "gpt":
                self.assertEqual(key, p["uuid"].lower(), name)
            else:
                num = int(name[len(name.rstrip("0123456789")):])
                self.assertEqual(key, "%s-%02x" % (ptuuid.removeprefix("0x"), num), name)
        self.assertEqual(self.pool_free(pool), sfdisk_free(dev))
        x = self.pool_xml(pool)
        used = sum(v[3] for v in vols.values())
        if os.path.isfile(dev):
            size = os.path.getsize(dev)
        else:
            with open("/sys/class/block/%s/size" % os.path.basename(dev)) as f:
                size = int(f.read()) * 512
        self.assertEqual(int(x.findtext("capacity")), size)
        self.assertEqual(int(x.findtext("allocation")), used)
        self.assertEqual(int(x.findtext("available")),
                         sum(e - s for s, e in sfdisk_free(dev)))
        return vols


class ImageFileTest(DiskPoolBase):
    def test_gpt_lifecycle(self):
        img = self.image("disk.img", 100 * MiB)
        self.define("d1", img, "gpt")
        self.fails(("pool-start", "d1"), "has no partition table", "build the pool")
        self.ok("pool-build", "d1")
        self.assertEqual(sfdisk_json(img)["label"], "gpt")
        self.ok("pool-start", "d1")
        self.assertEqual(self.assert_agrees("d1", img), {})

        self.ok("vol-create-as", "d1", "disk.img1", "10M")
        self.ok("vol-create-as", "d1", "disk.img2", "20M", "--format", "linux-swap")
        # an odd size is rounded up to the table's alignment grain (1 MiB)
        self.ok("vol-create-as", "d1", "disk.img3", "1500K", "--format", "linux-lvm")
        vols = self.assert_agrees("d1", img)
        self.assertEqual(vols["disk.img1"][3], 10 * MiB)
        self.assertEqual(vols["disk.img3"][3], 2 * MiB)
        types = {p["node"]: p["type"] for p in sfdisk_json(img)["partitions"]}
        self.assertEqual(types[img + "2"], "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F")
        self.assertEqual(types[img + "3"], "E6D6D379-F507-44C2-A23C-238F2A3DF928")
        self.assertEqual([v[2] for _, v in sorted(vols.items())], ["linux", "linux-swap",
                                                                   "linux-lvm"])
        # an image file's partitions have no node of their own: the path names the PARTUUID
        self.assertEqual(vols["disk.img1"][1], "/dev/disk/by-partuuid/" + vols["disk.img1"][0])

        # refusals: the name, a taken name, no room in one extent
        self.fails(("vol-create-as", "d1", "foo", "1M"), "volume name 'foo'",
                   "the next free one is disk.img4")
        self.fails(("vol-create-as", "d1", "disk.img2", "1M"), "disk.img2")
        self.fails(("vol-create-as", "d1", "disk.img4", "1M", "--allocation", "0"),
                   "allocation")

        # delete the first one: two free extents now, and no volume may span both
        self.ok("vol-delete", "disk.img1", "--pool", "d1")
        free = self.pool_free("d1")
        self.assertEqual(len(free), 2)
        self.assert_agrees("d1", img)
        largest = max(e - s for s, e in free)
        need = largest + MiB
        self.assertLess(need, sum(e - s for s, e in free))
        self.fails(("vol-create-as", "d1", "disk.img4", str(need)),
                   "the largest holds %d" % largest, "cannot span two extents")
        # the first fit: the hole left by disk.img1
        self.ok("vol-create-as", "d1", "disk.img1", "4M")
        self.assertEqual(self.volumes("d1")["disk.img1"][4][1], free[0][0])
        self.assert_agrees("d1", img)

    def test_wipe_and_delete(self):
        img = self.image("w.img", 48 * MiB)
        self.define("w", img, "gpt")
        self.ok("pool-build", "w")
        self.ok("pool-start", "w")
        self.ok("vol-create-as", "w", "w.img1", "8M")
        self.ok("vol-create-as", "w", "w.img2", "8M")
        with open(img, "r+b") as f:
            f.seek(MiB)
            f.write(b"\xaa" * (40 * MiB))
        _, _, _, _, (_, start, end) = self.volumes("w")["w.img2"]
        self.ok("vol-wipe", "w.img2", "--pool", "w")
        with open(img, "rb") as f:
            data = f.read()
        # the partition's extent is zeroed, its neighbours are untouched
        self.assertEqual(data[start:end], bytes(end - start))
        self.assertEqual(set(data[start - 4096:start]), {0xaa})
        self.assertEqual(set(data[end:end + 4096]), {0xaa})
        self.ok("pool-destroy", "w")
        self.fails(("pool-delete", "w"), "still holds 2 partitions")
        self.assertEqual(len(sfdisk_json(img)["partitions"]), 2)
        self.ok("pool-delete", "w", "--nonempty")
        p = subprocess.run([SFDISK, "--json", img], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0, "a partition table is left: " + p.stdout)
        self.assertEqual(subprocess.run(["blkid", "-p", img]).returncode, 2)
        # the data past the labels is not touched by deleting the pool
        with open(img, "rb") as f:
            f.seek(end)
            self.assertEqual(set(f.read(4096)), {0xaa})

    def test_upload_download(self):
        img = self.image("u.img", 32 * MiB)
        self.define("u", img, "gpt")
        self.ok("pool-build", "u")
        self.ok("pool-start", "u")
        self.ok("vol-create-as", "u", "u.img1", "4M")
        self.ok("vol-create-as", "u", "u.img2", "4M")
        vols = self.volumes("u")
        data = os.urandom(3 * MiB + 123)
        src = os.path.join(self.tmp, "data.bin")
        with open(src, "wb") as f:
            f.write(data)
        self.ok("vol-upload", "u.img2", src, "--pool", "u", "--offset", "4096")
        with open(img, "rb") as f:
            whole = f.read()
        start, end = vols["u.img2"][4][1:]
        # the data sits at the partition's extent plus the offset, nothing moved around it
        self.assertEqual(whole[start + 4096:start + 4096 + len(data)], data)
        self.assertEqual(whole[start:start + 4096], bytes(4096))
        self.assertEqual(whole[vols["u.img1"][4][1]:vols["u.img1"][4][2]], bytes(4 * MiB))
        out = os.path.join(self.tmp, "out.bin")
        self.ok("vol-download", "u.img2", out, "--pool", "u", "--offset", "4096",
                "--length", str(len(data)))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)
        self.ok("vol-download", "u.img2", out, "--pool", "u")
        self.assertEqual(os.path.getsize(out), end - start)
        # too much data, or past the end: refused and nothing written
        big = os.path.join(self.tmp, "big.bin")
        with open(big, "wb") as f:
            f.write(b"\x77" * (4 * MiB + 1))
        self.fails(("vol-upload", "u.img1", big, "--pool", "u"), "do not fit", "4194304")
        self.fails(("vol-upload", "u.img1", src, "--pool", "u", "--offset", str(2 * MiB),
                    "--length", str(3 * MiB)), "past the partition")
        with open(img, "rb") as f:
            self.assertEqual(f.read(), whole)
        self.assert_agrees("u", img)

    def test_copies(self):
        img = self.image("c.img", 48 * MiB)
        with open(img, "r+b") as f:         # what the space held before: never shown
            f.write(b"\xaa" * (48 * MiB))
        self.define("c", img, "gpt")
        self.ok("pool-build", "c")
        self.ok("pool-start", "c")
        # a raw file of a dir pool, copied into a new partition
        d = os.path.join(self.tmp, "files")
        os.mkdir(d)
        xml = os.path.join(self.tmp, "dir.xml")
        with open(xml, "w") as f:
            f.write("<pool type='dir'><name>files</name><target><path>%s</path></target></pool>"
                    % d)
        self.ok("pool-define", xml)
        self.ok("pool-start", "files")
        data = os.urandom(3 * MiB + 4096) + bytes(MiB) + os.urandom(4096)
        with open(os.path.join(d, "src.raw"), "wb") as f:
            f.write(data)
        self.ok("pool-refresh", "files")
        vxml = os.path.join(self.tmp, "vol.xml")
        with open(vxml, "w") as f:
            f.write("<volume><name>c.img1</name></volume>")
        self.ok("vol-create-from", "c", vxml, "src.raw", "--inputpool", "files")
        vols = self.volumes("c")
        _, start, end = vols["c.img1"][4]
        self.assertEqual(end - start, 5 * MiB)      # the source's size, rounded to the grain
        with open(img, "rb") as f:
            f.seek(start)
            got = f.read(end - start)
        self.assertEqual(got[:len(data)], data)
        self.assertEqual(got[len(data):], bytes(end - start - len(data)))
        # a partition cloned in its own pool (an image file's: read at its extent)
        self.ok("vol-clone", "c.img1", "c.img2", "--pool", "c")
        vols = self.assert_agrees("c", img)
        _, s2, e2 = vols["c.img2"][4]
        with open(img, "rb") as f:
            f.seek(s2)
            self.assertEqual(f.read(e2 - s2), got)
        # an image format is no raw copy: refused, and no partition is left
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", os.path.join(d, "q.qcow2"),
                        "8M"], check=True)
        self.ok("pool-refresh", "files")
        with open(vxml, "w") as f:
            f.write("<volume><name>c.img3</name></volume>")
        self.fails(("vol-create-from", "c", vxml, "q.qcow2", "--inputpool", "files"),
                   "whose format is qcow2", "convert it to raw first")
        self.assertEqual(sorted(self.volumes("c")), ["c.img1", "c.img2"])
        self.assertEqual(len(sfdisk_json(img)["partitions"]), 2)

    def test_build_overwrite(self):
        img = self.image("disk.img", 32 * MiB)
        subprocess.run([SFDISK, "-q", img], input="label: dos\n,8M\n,8M\n", text=True,
                       check=True)
        self.define("d2", img, "gpt")
        # another label there: start refuses it, build keeps it unless told to overwrite
        self.fails(("pool-start", "d2"), "dos", "gpt")
        self.fails(("pool-build", "d2"), "already holds dos", "overwrite")
        self.assertEqual(len(sfdisk_json(img)["partitions"]), 2)
        self.ok("pool-build", "d2", "--overwrite")
        t = sfdisk_json(img)
        self.assertEqual(t["label"], "gpt")
        self.assertEqual(t.get("partitions", []), [])
        self.ok("pool-start", "d2")
        self.assert_agrees("d2", img)

    def test_build_refuses_a_filesystem(self):
        img = self.image("fs.img", 16 * MiB)
        # a file system signature (ext2 superblock magic at 1080) is not overwritten either
        with open(img, "r+b") as f:
            f.seek(1024)
            sb = bytearray(1024)
            sb[0:4] = (4096).to_bytes(4, "little")      # s_inodes_count
            sb[4:8] = (4096).to_bytes(4, "little")      # s_blocks_count
            sb[24:28] = (0).to_bytes(4, "little")       # s_log_block_size
            sb[56:58] = (0xEF53).to_bytes(2, "little")  # s_magic
            f.write(sb)
        blkid = subprocess.run(["blkid", "-p", "-o", "value", "-s", "TYPE", img],
                               capture_output=True, text=True)
        if blkid.stdout.strip() != "ext2":
            self.skipTest("blkid does not take the hand-made superblock as ext2")
        self.define("d3", img, "dos")
        self.fails(("pool-build", "d3"), "already holds ext2")

    def test_dos_primaries_and_external_changes(self):
        img = self.image("dos.img", 64 * MiB)
        self.define("d4", img, "dos")
        self.ok("pool-build", "d4")
        self.ok("pool-start", "d4")
        for i in range(1, 5):
            self.ok("vol-create-as", "d4", "dos.img%d" % i, "4M")
        self.fails(("vol-create-as", "d4", "dos.img5", "4M"), "primary partitions 1-4")
        vols = self.assert_agrees("d4", img)
        self.assertEqual(len(vols), 4)
        # a partition removed behind the library's back is gone after a refresh
        subprocess.run([SFDISK, "-q", "--delete", img, "3"], check=True)
        self.ok("pool-refresh", "d4")
        vols = self.assert_agrees("d4", img)
        self.assertEqual(sorted(vols), ["dos.img1", "dos.img2", "dos.img4"])

    def test_unsupported_label(self):
        img = self.image("x.img", 8 * MiB)
        self.define("d5", img, "mac")
        self.fails(("pool-build", "d5"), "mac")
        self.assertEqual(subprocess.run([SFDISK, "--json", img], capture_output=True).returncode,
                         1, "the image was written")


@unittest.skipUnless(os.geteuid() == 0, "loop devices need root")
class LoopDeviceTest(DiskPoolBase):
    def setUp(self):
        super().setUp()
        self.img = self.image("loop.img", 64 * MiB)
        p = subprocess.run([LOSETUP, "-f", "--show", self.img], capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("no loop device: " + p.stderr.strip())
        self.dev = p.stdout.strip()

    def tearDown(self):
        subprocess.run([LOSETUP, "-d", self.dev])
        super().tearDown()

    def part(self, n):
        return "%sp%d" % (self.dev, n)

    def test_partitions_on_a_loop_device(self):
        base = os.path.basename(self.dev)
        self.define("l1", self.dev, "gpt")
        self.ok("pool-build", "l1")
        self.ok("pool-start", "l1")
        self.ok("vol-create-as", "l1", base + "p1", "8M")
        self.ok("vol-create-as", "l1", base + "p2", "16M")
        vols = self.assert_agrees("l1", self.dev)
        # the kernel knows the partitions: block nodes of the right size
        for n, size in ((1, 8 * MiB), (2, 16 * MiB)):
            name = base + "p%d" % n
            self.assertEqual(vols[name][1], self.part(n))
            with open("/sys/class/block/%s/size" % name) as f:
                self.assertEqual(int(f.read()) * 512, size)
            self.assertTrue(os.path.exists(self.part(n)), self.part(n))
        # a partition held exclusively (as by a mount) is not deleted
        fd = os.open(self.part(1), os.O_RDONLY | os.O_EXCL)
        try:
            self.fails(("vol-delete", base + "p1", "--pool", "l1"), "in use")
        finally:
            os.close(fd)
        self.assertEqual(len(sfdisk_json(self.dev)["partitions"]), 2)
        self.ok("vol-delete", base + "p1", "--pool", "l1")
        self.assertFalse(os.path.exists("/sys/class/block/%s" % (base + "p1")))
        self.assert_agrees("l1", self.dev)

        # wipe: refused while held, then the partition reads as zeros
        with open(self.part(2), "r+b") as f:
            f.write(b"\x55" * MiB)
        fd = os.open(self.part(2), os.O_RDONLY | os.O_EXCL)
        try:
            self.fails(("vol-wipe", base + "p2", "--pool", "l1"), "in use")
        finally:
            os.close(fd)
        self.ok("vol-wipe", base + "p2", "--pool", "l1")
        with open(self.part(2), "rb") as f:
            self.assertEqual(f.read(MiB), bytes(MiB))

        # upload through the partition's node, refused while it is held
        data = os.urandom(MiB)
        src = os.path.join(self.tmp, "data.bin")
        with open(src, "wb") as f:
            f.write(data)
        fd = os.open(self.part(2), os.O_RDONLY | os.O_EXCL)
        try:
            self.fails(("vol-upload", base + "p2", src, "--pool", "l1"), "in use")
        finally:
            os.close(fd)
        self.ok("vol-upload", base + "p2", src, "--pool", "l1", "--offset", str(MiB))
        with open(self.part(2), "rb") as f:
            f.seek(MiB)
            self.assertEqual(f.read(MiB), data)
        out = os.path.join(self.tmp, "out.bin")
        self.ok("vol-download", base + "p2", out, "--pool", "l1", "--offset", str(MiB),
                "--length", str(MiB))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)

        # delete the pool: refused while a partition is held, then no table
        # and no partition left in the kernel
        self.ok("pool-destroy", "l1")
        fd = os.open(self.part(2), os.O_RDONLY | os.O_EXCL)
        try:
            self.fails(("pool-delete", "l1", "--nonempty"), "in use")
        finally:
            os.close(fd)
        self.ok("pool-delete", "l1", "--nonempty")
        self.assertEqual(self.kernel_parts(), [])
        self.assertNotEqual(subprocess.run([SFDISK, "--json", self.dev],
                                           capture_output=True).returncode, 0)

    def test_overwrite_drops_old_partitions(self):
        # a table the kernel knows, replaced by a new label: no stale node stays
        base = os.path.basename(self.dev)
        subprocess.run([SFDISK, "-q", self.dev], input="label: dos\n,8M\n,8M\n", text=True,
                       capture_output=True, check=True)
        subprocess.run(["partx", "-a", self.dev], capture_output=True)
        if len(self.kernel_parts()) != 2:
            self.skipTest("the kernel does not take partitions of %s" % self.dev)
        self.define("l2", self.dev, "gpt")
        self.fails(("pool-build", "l2"), "already holds dos")
        self.ok("pool-build", "l2", "--overwrite")
        self.assertEqual(self.kernel_parts(), [])
        self.ok("pool-start", "l2")
        self.ok("vol-create-as", "l2", base + "p1", "4M")
        self.assertEqual(self.kernel_parts(), [base + "p1"])
        self.assert_agrees("l2", self.dev)

    def kernel_parts(self):
        d = "/sys/class/block/%s" % os.path.basename(self.dev)
        return sorted(n for n in os.listdir(d) if os.path.exists(os.path.join(d, n, "partition")))


if __name__ == "__main__":
    unittest.main()
