"""An A record set prepared ahead of time, without its address, overwrites the record the zone group wrote for gbl.his.arc.azure.com (the seed warns against empty record sets).

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_record_set_empty.py

Expected: fails with DNS-003 (an empty record set is no answer).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import main  # noqa: E402

if __name__ == "__main__":
    main(empty_record="gbl")
