"""The scope keeps public network access enabled. Everything is reached privately, yet the agents would still be admitted over the internet: not private-only.

    arcemu verify --world examples/private-link-ci/lab.yaml --expect private-only -- python examples/private-link-ci/wrong_public_access.py

Expected: passes 'private', fails '--expect private-only' with PLS-006.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(public_network_access="Enabled")
