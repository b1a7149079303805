"""cwfilter: Amazon CloudWatch Logs filter patterns, metric filters and alarms, offline.

>>> import cwfilter
>>> p = cwfilter.compile('{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucketAcl }')
>>> p.matches('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}')
True
"""

from .pattern import FilterPattern, PatternError, PatternWarning, compile, detect_family, parse, render

__all__ = ["FilterPattern", "PatternError", "PatternWarning", "compile", "detect_family", "parse", "render"]
__version__ = "0.1.0"
