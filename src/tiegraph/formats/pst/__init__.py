"""Outlook PST/OST reader: contacts, meetings and message metadata, never subjects or bodies."""

from tiegraph.formats.pst.items import SOURCE_FORMAT, OutlookItem, OutlookRecord, item_record
from tiegraph.formats.pst.reader import MISSING, PstReaderMissing, iter_outlook_items, load_pypff

__all__ = [
    "MISSING",
    "SOURCE_FORMAT",
    "OutlookItem",
    "OutlookRecord",
    "PstReaderMissing",
    "item_record",
    "iter_outlook_items",
    "load_pypff",
]
