# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI: exit statuses, text and JSON output, error shape."""
import json
import os
import stat
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("STORVIRT_DEBUG", None)
    if env:
        e.update(env)
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.state = os.path.join(self.tmp.name, "state")

    def tearDown(self):
        self.tmp.cleanup()

    def test_version_text_and_json(self):
        rc, out, err = run("version")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^libstorvirt \d+\.\d+\.\d+ \(ABI STORVIRT_\d+\.\d+, libstorvirt\.so\.0\)\n$")
        rc, out, _ = run("--json", "version")
        self.assertEqual(rc, 0)
        doc = json.loads(out)
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        self.assertEqual(doc["soname"], "libstorvirt.so.0")
        self.assertTrue(doc["abi"].startswith("STORVIRT_"))
        self.assertEqual(run("-V")[1], run("version")[1])

    def test_info_creates_state_dir(self):
        rc, out, err = run("-d", self.state, "--json", "info")
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual(doc["state_dir"], self.state)
        self.assertIsInstance(doc["pool_types"], list)
        self.assertEqual(stat.S_IMODE(os.stat(self.state).st_mode), 0o700)
        rc, out, _ = run("-d", self.state, "info")
        self.assertEqual(rc, 0)
        self.assertIn(f"State dir:     {self.state}\n", out)

    def test_state_dir_from_environment(self):
        rc, out, err = run("--json", "info", env={"STORVIRT_STATE_DIR": self.state})
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["state_dir"], self.state)

    def test_library_error_exit_1(self):
        rc, out, err = run("-d", "relative/dir", "info")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(err, "storvirt: error: storvirt_ctx_set_state_dir: invalid argument 'path': must be an absolute path, got 'relative/dir'\n")
        rc, out, err = run("--json", "-d", "relative/dir", "info")
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        self.assertEqual(doc, {"status": {"code": 22, "message": "storvirt_ctx_set_state_dir: invalid argument 'path': must be an absolute path, got 'relative/dir'"}})

    def test_state_dir_under_a_file(self):
        f = os.path.join(self.tmp.name, "file")
        open(f, "w").close()
        rc, out, err = run("--json", "-d", f + "/x", "info")
        self.assertEqual(rc, 1)
        self.assertEqual(json.loads(out)["status"]["code"], 20)  # ENOTDIR
        self.assertIn(f, err)

    def test_usage_errors_exit_2(self):
        for args in ([], ["nosuchcommand"], ["--bogus", "info"], ["version", "extra"],
                     ["help", "nosuchcommand"], ["-d"]):
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual(rc, 2, (out, err))
                self.assertTrue(err.startswith("storvirt: usage error: "), err)
        rc, out, _ = run("--json", "nosuchcommand")
        self.assertEqual(rc, 2)
        self.assertEqual(json.loads(out)["status"]["code"], 22)

    def test_help(self):
        rc, out, _ = run("help")
        self.assertEqual(rc, 0)
        for cmd in ("help", "version", "info"):
            self.assertIn(f"  {cmd} ", out)
        rc, out, _ = run("help", "info")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("Usage: storvirt info\n"))
        self.assertEqual(run("--help")[0], 0)

    def test_global_options_before_or_after_the_command(self):
        """-d, --json and --debug anywhere; a command's options before it too."""
        for args in (["--json", "-d", self.state, "info"], ["info", "--json", "-d", self.state],
                     ["-d", self.state, "info", "--json"], ["info", "--state-dir=" + self.state,
                                                            "--json"]):
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out)["state_dir"], self.state)
        rc, out, err = run("-d", self.state, "pool-list", "--all", "--json")
        self.assertEqual((rc, json.loads(out)["pools"]), (0, []), err)
        rc, out, err = run("--all", "-d", self.state, "--json", "pool-list")
        self.assertEqual((rc, json.loads(out)["pools"]), (0, []), err)
        rc, out, err = run("-d", self.state, "info", "--debug")
        self.assertEqual(rc, 0)
        self.assertIn("libstorvirt: debug:", err)
        # an error found before --json is reached still comes as JSON
        rc, out, err = run("nosuchcommand", "--json")
        self.assertEqual((rc, json.loads(out)["status"]["code"]), (2, 22))

    def test_option_errors_name_option_and_command(self):
        cases = [
            (["pool-list", "--bogus"], "pool-list: unknown option '--bogus'"),
            (["--bogus", "pool-list"], "pool-list: unknown option '--bogus'"),
            (["info", "-x"], "info: unknown option '-x'"),
            (["--bogus"], "unknown option '--bogus'"),
            (["pool-info"], "pool-info: missing POOL (usage: storvirt pool-info POOL"),
            (["vol-create-as", "p1", "v"], "vol-create-as: missing SIZE (usage: storvirt "
                                           "vol-create-as POOL NAME SIZE "),
            (["pool-info", "a", "b"], "pool-info: unexpected argument 'b'"),
            (["pool-list", "--type"], "pool-list: option '--type' needs a value"),
            (["pool-list", "--all=yes"], "pool-list: option '--all' takes no value"),
            (["pool-list", "--type", "dir", "--type", "fs"],
             "pool-list: --type given more than once"),
            (["vol-upload", "v", "f", "--offset", "x"], "vol-upload: invalid --offset 'x'"),
            (["connection-luns", "--timeout", "0", "c"],
             "connection-luns: --timeout '0': not an integer from 1 to 3600"),
            (["pool-start", "p", "--overwrite", "--no-overwrite"],
             "pool-start: give --overwrite or --no-overwrite, not both"),
            (["iscsi-discover", "--user", "u", "h"],
             "iscsi-discover: --user and --password-file go together"),
            (["-d"], "option '-d' needs a value"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                rc, out, err = run("-d", self.state, *args) if args != ["-d"] else run(*args)
                self.assertEqual(rc, 2, (out, err))
                self.assertTrue(err.startswith("storvirt: usage error: " + msg), err)

    def test_help_of_a_command_from_its_table(self):
        rc, out, _ = run("help", "pool-list")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"\n  --type TYPE +only the pools of this type\n")
        self.assertEqual(run("pool-list", "--help")[1], out)
        rc, out, _ = run("help", "vol-list")
        self.assertRegex(out, r"\n  POOL, --pool POOL +a pool name or UUID\n")
        rc, out, _ = run("help", "--synopsis", "vol-list")
        self.assertEqual((rc, out), (0, "vol-list POOL [--details]\n"))
        rc, out, _ = run("help", "--synopsis")
        lines = out.splitlines()
        self.assertIn("vdisk-import (SPEC | --guid G | --path P | --pool P --volume V) "
                      "[--connection ID]... [--shared] [--readonly] [--no-refresh]", lines)
        self.assertIn("info", lines)
        rc, out, _ = run("help")
        for cmd in lines:
            self.assertIn("\n  %s " % cmd.split()[0], out)

    def test_debug_goes_to_stderr_only(self):
        rc, out, err = run("--debug", "-d", self.state, "--json", "info")
        self.assertEqual(rc, 0)
        json.loads(out)  # stdout stays pure JSON
        self.assertIn("libstorvirt: debug:", err)
        rc, out, err = run("-d", self.state, "info")
        self.assertEqual(err, "")  # silent by default


if __name__ == "__main__":
    unittest.main()
