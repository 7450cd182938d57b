"""The privatelink zones are created and filled, but never linked to the hub VNet, so Azure DNS in the hub (where the on-premises DNS forwards) answers from the internet.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_zone_not_linked.py

Expected: fails with DNS-002 (zone not linked to the VNet).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(link_zones=False)
