"""The site firewall allows Microsoft Entra ID, Resource Manager and Front Door but not
MicrosoftContainerRegistry, which the agents pull their images from: onboarding is refused.

    arcemu verify --world examples/private-link-ci/lab.yaml -- python examples/private-link-ci/wrong_firewall_missing_mcr.py

Expected: the command fails; NET-002.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from setup_private_link import SITE_FIREWALL, main  # noqa: E402

if __name__ == "__main__":
    main(site_firewall=[r for r in SITE_FIREWALL if r["destination"] != "MicrosoftContainerRegistry"])
