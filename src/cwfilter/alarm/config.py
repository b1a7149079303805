"""Alarms from configuration files: moved to ``cwfilter.config.alarms`` (re-exported here)."""

from ..config.alarms import alarms_from_cloudformation, alarms_from_describe, load_alarms

__all__ = ["alarms_from_cloudformation", "alarms_from_describe", "load_alarms"]
