"""A second site ('branch', with cluster 'branch-edge' on the same scope) forwards the Arc zones to a forwarder VM, while 'hq' forwards to the Private Resolver: each reaches the endpoint, but the seed asks all on-premises clusters of a scope to resolve it through the same forwarder.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_two_forwarders.py

Expected: fails with DNS-006.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(second_site_forwarder="10.10.1.10")
