"""``python -m deltacrown``: the same command line as the ``deltacrown`` script."""

from deltacrown.cli import main

raise SystemExit(main())
