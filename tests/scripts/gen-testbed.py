#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes a umockdev testbed of block devices for the LUN tests and benchmarks.

  gen-testbed.py fixture OUT.umockdev EXPECT.txt
      the fixed set the unit test checks: SCSI disks carrying each VPD 0x83
      designator type, multipath maps of 2-4 paths over iSCSI, one path
      offline, NVMe namespaces, partitions, an unattached and an attached
      loop device.  EXPECT.txt lists what discovery must report.
  gen-testbed.py scale N OUT.umockdev
      N SCSI disks as N/4 multipath maps of 4 iSCSI paths (benchmarks).

Every identity is built here from raw bytes (VPD designators), and the
expected GUID is derived independently from the same bytes by the rules
multipath uses, so the test checks the library's parsing, not a copy of it.
"""
import sys


def vpd83(designators):
    """A VPD page 0x83 from (code_set, assoc, dtype, bytes) designators."""
    body = b""
    for code_set, assoc, dtype, data in designators:
        body += bytes([code_set, (assoc << 4) | dtype, 0, len(data)]) + data
    return bytes([0, 0x83]) + len(body).to_bytes(2, "big") + body


def devnum(major, minor):
    """The device number of a block device: its sysfs dev attribute and uevent."""
    return ["A: dev=%d:%d" % (major, minor), "E: MAJOR=%d" % major, "E: MINOR=%d" % minor]


def naa6(n):
    """A 16-byte NAA 6 (registered extended) identifier."""
    return bytes.fromhex("6001405") + b"" if False else bytes.fromhex("60014050" + "%024x" % n)


class Bed:
    def __init__(self):
        self.out = []
        self.expect = []
        self.sd = 0
        self.dm = 0

    def dev(self, path, lines):
        self.out.append("P: %s\n%s\n" % (path, "\n".join(lines)))

    def sdname(self):
        n, s = self.sd, ""
        self.sd += 1
        n += 1
        while n:
            n, r = divmod(n - 1, 26)
            s = chr(ord("a") + r) + s
        return "sd" + s

    def scsi_disk(self, host, lun, vpd=None, wwid=None, state="running", session=None,
                  vendor="LIO-ORG", model="disk", size=2097152, parts=0, base=None):
        name = self.sdname()
        if base is None:
            base = "/devices/platform/host%d" % host
        if session is not None:
            base += "/session%d" % session
        tgt = "%s/target%d:0:0/%d:0:0:%d" % (base, host, host, lun)
        attrs = ["E: SUBSYSTEM=scsi", "E: DEVTYPE=scsi_device", "A: vendor=%s" % vendor,
                 "A: model=%s" % model, "A: rev=4.0", "A: state=%s" % state]
        if vpd is not None:
            attrs.append("H: vpd_pg83=%s" % vpd.hex())
            attrs.append("H: vpd_pg80=%s" % (bytes([0, 0x80, 0, 8]) + b"SER%05d" % self.sd).hex())
        if wwid is not None:
            attrs.append("A: wwid=%s" % wwid)
        self.dev(tgt, attrs)
        blk = "%s/block/%s" % (tgt, name)
        minor = (self.sd - 1) * 16
        self.dev(blk, ["N: %s" % name, "E: DEVNAME=/dev/%s" % name, "E: DEVTYPE=disk"] + devnum(8, minor) + [
                       "E: SUBSYSTEM=block", "A: size=%d" % size, "A: queue/logical_block_size=512",
                       "A: queue/physical_block_size=4096", "A: queue/discard_max_bytes=0",
                       "A: queue/rotational=0", "L: device=../../../%d:0:0:%d" % (host, lun)])
        for p in range(1, parts + 1):
            self.dev("%s/%s%d" % (blk, name, p), ["N: %s%d" % (name, p), "E: DEVNAME=/dev/%s%d" % (name, p),
                                                   "E: DEVTYPE=partition", "E: SUBSYSTEM=block"] +
                     devnum(8, minor + p) + [
                                                   "A: size=1024", "A: partition=%d" % p])
        return name, blk

    def iscsi_session(self, host, session, target, portal, tpgt=1):
        base = "/devices/platform/host%d/session%d" % (host, session)
        self.dev(base + "/iscsi_session/session%d" % session,
                 ["E: SUBSYSTEM=iscsi_session", "A: targetname=%s" % target, "A: tpgt=%d" % tpgt,
                  "A: initiatorname=iqn.2026-11.example:host"])
        addr, port = portal.rsplit(":", 1)
        self.dev(base + "/connection%d:0/iscsi_connection/connection%d:0" % (session, session),
                 ["E: SUBSYSTEM=iscsi_connection", "A: persistent_address=%s" % addr,
                  "A: persistent_port=%s" % port])

    def map(self, guid, slaves, blks):
        name = "dm-%d" % self.dm
        self.dm += 1
        lines = ["N: %s" % name, "E: DEVNAME=/dev/%s" % name, "E: DEVTYPE=disk"] + devnum(253, self.dm - 1) + [
                 "E: SUBSYSTEM=block",
                 "A: size=2097152", "A: queue/logical_block_size=512", "A: queue/physical_block_size=4096",
                 "A: queue/discard_max_bytes=0", "A: queue/rotational=0",
                 "A: dm/uuid=mpath-%s" % guid, "A: dm/name=%s" % guid]
        for s, b in zip(slaves, blks):
            lines.append("L: slaves/%s=../../../..%s" % (s, b[len("/devices"):]))
        self.dev("/devices/virtual/block/%s" % name, lines)
        return name

    def text(self):
        return "\n".join(self.out)


def fixture(out, expect):
    b = Bed()
    exp = []
    # One disk per designator type, each alone (no multipath).
    cases = [
        ("naa5", [(1, 0, 3, bytes.fromhex("5000c500a1b2c3d4"))], "35000c500a1b2c3d4"),
        ("naa6", [(1, 0, 3, naa6(1))], "3" + naa6(1).hex()),
        ("eui64", [(1, 0, 2, bytes.fromhex("0025385b71b0a1c2"))], "20025385b71b0a1c2"),
        ("t10", [(2, 0, 1, b"LIO-ORG disk0   serial1234")], "1LIO-ORG_disk0_serial1234"),
        ("prefer-naa", [(2, 0, 1, b"VENDOR  PRODUCT 1"), (1, 1, 3, bytes.fromhex("5000000000000001")),
                        (1, 0, 3, naa6(2))], "3" + naa6(2).hex()),
    ]
    host = 0
    for label, des, guid in cases:
        name, _ = b.scsi_disk(host, 0, vpd=vpd83(des), parts=2 if label == "naa5" else 0)
        exp.append("disk %s %s %s" % (name, guid or "-", label))
        host += 1
    # Multipath maps of 2, 3 and 4 iSCSI paths; one path offline.
    sess = 0
    for m, npaths in enumerate((2, 3, 4)):
        ident = naa6(100 + m)
        guid = "3" + ident.hex()
        slaves, blks = [], []
        for p in range(npaths):
            b.iscsi_session(host, sess, "iqn.2026-11.example:target%d" % m, "127.0.0.%d:3260" % (p + 1))
            state = "offline" if (m == 1 and p == 0) else "running"
            name, blk = b.scsi_disk(host, m, vpd=vpd83([(1, 0, 3, ident)]), session=sess, state=state)
            slaves.append(name)
            blks.append(blk)
            host += 1
            sess += 1
        dm = b.map(guid, slaves, blks)
        exp.append("map %s %s %s" % (dm, guid, ",".join(slaves)))
    # NVMe namespace with an EUI-64 wwid.
    b.dev("/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1",
          ["N: nvme0n1", "E: DEVNAME=/dev/nvme0n1", "E: DEVTYPE=disk", "E: SUBSYSTEM=block"] + devnum(259, 0) + [
           "A: size=4194304", "A: wwid=eui.0025385c91b0d1e2", "A: queue/logical_block_size=4096",
           "A: queue/physical_block_size=4096", "A: queue/discard_max_bytes=2199023255040",
           "A: queue/rotational=0"])
    exp.append("nvme nvme0n1")
    # Loop devices: one attached, one not.
    b.dev("/devices/virtual/block/loop0", ["N: loop0", "E: DEVNAME=/dev/loop0", "E: DEVTYPE=disk",
                                           "E: SUBSYSTEM=block"] + devnum(7, 0) + ["A: size=131072",
                                           "A: loop/backing_file=/var/tmp/disk.img"])
    b.dev("/devices/virtual/block/loop1", ["N: loop1", "E: DEVNAME=/dev/loop1", "E: DEVTYPE=disk",
                                           "E: SUBSYSTEM=block"] + devnum(7, 1) + ["A: size=0"])
    exp.append("loop loop0 /var/tmp/disk.img")
    open(out, "w").write(b.text())
    open(expect, "w").write("\n".join(exp) + "\n")


def hba(out, expect):
    """SCSI host adapters as sysfs shows them: two Fibre Channel HBA ports
    (scsi_host + fc_host, LUNs behind a remote port) and a virtio-scsi
    host, numbered out of order."""
    b = Bed()
    exp = []
    fc = [(7, "0x20000000c9831b4b", "0x10000000c9831b4b", 3),
          (3, "0x20000090fa1c2d3e", "0x10000090FA1C2D3E", 1)]
    for i, (host, wwnn, wwpn, nluns) in enumerate(fc):
        pci = "/devices/pci0000:00/0000:00:%02x.%d/host%d" % (5, i, host)
        b.dev(pci + "/scsi_host/host%d" % host, ["E: SUBSYSTEM=scsi_host", "A: proc_name=lpfc",
                                                   "A: unique_id=%d" % (i + 1)])
        b.dev(pci + "/fc_host/host%d" % host, ["E: SUBSYSTEM=fc_host", "A: node_name=%s" % wwnn,
                                                 "A: port_name=%s" % wwpn, "A: port_state=Online",
                                                 "A: fabric_name=0x100000051e0c3f00"])
        exp.append("fc host%d %s %s" % (host, wwnn[2:].lower(), wwpn[2:].lower()))
        for lun in range(nluns):
            ident = naa6(500 + 10 * host + lun)
            name, _ = b.scsi_disk(host, lun, vpd=vpd83([(1, 0, 3, ident)]), vendor="DGC",
                                  model="VRAID", base=pci + "/rport-%d:0-0" % host)
            exp.append("disk %s 3%s host%d %d" % (name, ident.hex(), host, lun))
    vhost = 12
    vbase = "/devices/pci0000:00/0000:00:06.0/virtio3/host%d" % vhost
    b.dev(vbase + "/scsi_host/host%d" % vhost, ["E: SUBSYSTEM=scsi_host", "A: proc_name=virtio_scsi"])
    ident = naa6(900)
    name, _ = b.scsi_disk(vhost, 0, vpd=vpd83([(1, 0, 3, ident)]), vendor="QEMU",
                          model="QEMU HARDDISK", base=vbase)
    exp.append("scsi host%d" % vhost)
    exp.append("disk %s 3%s host%d 0" % (name, ident.hex(), vhost))
    open(out, "w").write(b.text())
    open(expect, "w").write("\n".join(exp) + "\n")


def scale(n, out):
    b = Bed()
    host = sess = 0
    for m in range(max(1, n // 4)):
        ident = naa6(10000 + m)
        slaves, blks = [], []
        for p in range(4):
            b.iscsi_session(host, sess, "iqn.2026-11.example:t%d" % m, "127.0.0.%d:3260" % (p + 1))
            name, blk = b.scsi_disk(host, m % 256, vpd=vpd83([(1, 0, 3, ident)]), session=sess)
            slaves.append(name)
            blks.append(blk)
            host += 1
            sess += 1
        b.map("3" + ident.hex(), slaves, blks)
    open(out, "w").write(b.text())


if __name__ == "__main__":
    if sys.argv[1] == "fixture":
        fixture(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "hba":
        hba(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "scale":
        scale(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit("usage: gen-testbed.py fixture|hba OUT EXPECT | scale N OUT")
