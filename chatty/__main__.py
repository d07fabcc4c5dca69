import sys

from chatty.cli import main

sys.exit(main())
