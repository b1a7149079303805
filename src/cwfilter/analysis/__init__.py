"""What a filter pattern matches, symbolically: disjunctive normal form over atoms, the
coverage of a rule's required events (COVERED / CONDITIONAL / MISSED with conditions and
reasons), what else a pattern admits (real events named from the CloudTrail catalogue,
``cwfilter.cloudtrail``), and witness records that cross-check it all against the engine; ``lint`` and ``compare`` are built on it, and so is the audit.

>>> from cwfilter import analysis
>>> cov = analysis.coverage('{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucket* }', "CWL-012")
>>> cov.covers_all, cov.breadth[:2]
(False, ('s3.amazonaws.com PutBucketAbac', 's3.amazonaws.com PutBucketAccelerateConfiguration'))
"""

from .comparison import Example, PatternComparison, compare
from .cover import Coverage, EventVerdict, RequiredEvent, Status, coverage, required_events, union
from .decision import Decision, contradiction, decide
from .findings import LintFinding, Severity, exit_status
from .linter import lint
from .normal_form import MAX_CONJUNCTS, Atom, Conjunct, TooComplex, dnf, render_atom, render_conjunct
from .witness import base_records, crosscheck, witnesses

__all__ = [
    "MAX_CONJUNCTS",
    "Atom",
    "Conjunct",
    "Coverage",
    "Decision",
    "EventVerdict",
    "Example",
    "LintFinding",
    "PatternComparison",
    "RequiredEvent",
    "Severity",
    "Status",
    "TooComplex",
    "base_records",
    "compare",
    "contradiction",
    "coverage",
    "crosscheck",
    "decide",
    "dnf",
    "exit_status",
    "lint",
    "render_atom",
    "render_conjunct",
    "required_events",
    "union",
    "witnesses",
]
