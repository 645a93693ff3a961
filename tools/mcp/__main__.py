import sys

from wicked_platform.tools.mcp.server import main

sys.exit(main())
