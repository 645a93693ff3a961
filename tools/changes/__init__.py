"""Git history, diffs and the configuration values they change.

GitPython refuses to be imported when no git executable is on PATH; told to stay quiet, it imports,
and the first git call fails with GitCommandNotFound, which the readers turn into one clear line.
So the MCP server starts and answers log questions on a machine without git.
"""

import os

os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
