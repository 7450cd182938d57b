"""The private endpoint asks for group id 'hybridcompute-k8s' instead of 'hybridcompute': Azure refuses it, and the script stops.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_group_id.py

Expected: the command fails; PLS-013 (refused private endpoint).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(group_id="hybridcompute-k8s")
