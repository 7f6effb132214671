"""Where the repository, bench/, the installed tools and the download cache are, for every module
to name them the same way."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH, TOOLS, WORK = ROOT / "bench", ROOT / ".tools", ROOT / ".work"
# The same cache scripts/install-tools.sh uses, outside the clone.
CACHE = Path(os.environ.get("TFASYNC_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
             / "terraform-provider-async")
