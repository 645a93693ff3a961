"""Reading log files: which files (discovery), which format (sniff), and one vectorised scan (scan)."""

from wicked_platform.tools.logs.discovery import LogInputError, expand_log_args
from wicked_platform.tools.logs.scan import scan_logs

__all__ = ["LogInputError", "expand_log_args", "scan_logs"]
