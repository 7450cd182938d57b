"""The private endpoint is created without its private DNS zone group: the privatelink zones are linked to the hub but hold no records, so the on-premises cluster's lookups end in NXDOMAIN.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_zone_group_missing.py

Expected: fails with DNS-003 (empty zone: NXDOMAIN).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(zone_group=False)
