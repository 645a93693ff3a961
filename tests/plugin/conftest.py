import pytest
from support.claude_code import claude_cli


@pytest.fixture(scope="session")
def claude():
    """The Claude Code CLI from package.json (skips when node/npm are absent)."""
    return claude_cli()
