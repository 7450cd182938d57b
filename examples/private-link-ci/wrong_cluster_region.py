"""The connected cluster is created in westeurope while its Private Link Scope is in eastus: Azure refuses it, and the script stops.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_cluster_region.py

Expected: the command fails; PLS-003.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(cluster_location="westeurope")
