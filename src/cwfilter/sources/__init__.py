"""Readers: where log events come from (files, trees, stdin, S3) and what they hold."""

from .discovery import discover, iter_discover
from .formats import Item, Parsed, Problem, Skip, delivery_time_from_name, record_items
from .inputs import STREAM_ABOVE, Opened, Unreadable, Whole, items_of, open_input, read_items, whole_items
from .kinds import NotRead, NotReadKind, ProblemKind
from .large import CannotCut, DocumentPieces, StreamedItems
from .local import FileRef

__all__ = [
    "STREAM_ABOVE",
    "CannotCut",
    "DocumentPieces",
    "FileRef",
    "Item",
    "NotRead",
    "NotReadKind",
    "Opened",
    "Parsed",
    "Problem",
    "ProblemKind",
    "Skip",
    "StreamedItems",
    "Unreadable",
    "Whole",
    "delivery_time_from_name",
    "discover",
    "items_of",
    "iter_discover",
    "open_input",
    "read_items",
    "record_items",
    "whole_items",
]
