"""Engine layer: ``python -m deltacrown.engine [options]``, the engine's own command line."""

import sys

from deltacrown.engine.cli import main

raise SystemExit(main(sys.argv[1:]))
