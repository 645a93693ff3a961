"""The OpenMetrics writer lives with the scenarios, whose metrics.om it generates."""

from wicked_platform.scenarios.openmetrics import Labels, OpenMetrics

__all__ = ["Labels", "OpenMetrics"]
