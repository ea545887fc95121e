# SPDX-License-Identifier: GPL-2.0-only
"""Runs the calling test script in a mount namespace of its own, so that what it bind-mounts
over the host's files (a private /etc/passwd, /etc/group with test users and groups) never
reaches the host and goes with the script.

    sys.path.insert(0, os.path.join(TOP, "tests/lib"))
    from mountns import own_mount_namespace
    own_mount_namespace()   # before anything is bind-mounted; re-executes the script once

The script is executed again under `unshare --mount --propagation private`; the second run
checks that its namespace differs from the one it started in, and refuses to go on otherwise.
"""
import os
import sys

OUTER_NS = "POLYMETER_TEST_OUTER_MNTNS"


def own_mount_namespace():
    if OUTER_NS not in os.environ:
        if os.geteuid() != 0:
            print("FAIL needs_root: the test bind-mounts files in a mount namespace of its "
                  "own\n0 passed, 1 failed", flush=True)
            sys.exit(1)
        os.environ[OUTER_NS] = os.readlink("/proc/self/ns/mnt")
        os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                              sys.executable] + sys.argv)
    if os.environ[OUTER_NS] == os.readlink("/proc/self/ns/mnt"):
        sys.exit("not in a mount namespace of its own: refusing to bind-mount over /etc")
