"""Runs the public conformance checker scim2-tester against a running SCIM server.

Usage: python conformance.py BASE_URL TOKEN

Prints one line per check and the count of each status, and exits non-zero if any check
reports ERROR or CRITICAL (a violation of a MUST of the RFCs, or worse).
"""

import collections
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base_url, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client)
    counts = collections.Counter()
    for result in results:
        counts[result.status.name] += 1
        where = f" [{result.resource_type}]" if result.resource_type else ""
        reason = f": {result.reason}" if result.reason and result.status != Status.SUCCESS else ""
        print(f"{result.status.name:<10} {result.title}{where}{reason}")
    print("scim2-tester: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
    failed = counts["ERROR"] + counts["CRITICAL"]
    passed = len(results) - failed
    print(f"scim2-tester: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
