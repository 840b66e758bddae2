"""MAPI property tags tiegraph reads from Outlook items, and how named properties are found.

Only these tags are ever read from a PST/OST: subjects and bodies (PR_SUBJECT 0x0037,
PR_BODY 0x1000, PR_RTF_COMPRESSED 0x1009, PR_HTML 0x1013, ...) are not in the list, so their
values are never taken out of the file.
"""

from __future__ import annotations

import struct
import uuid
from typing import Final

# --- tags of every item (MS-OXPROPS) ------------------------------------------------------------

MESSAGE_CLASS: Final = 0x001A
MESSAGE_FLAGS: Final = 0x0E07
MESSAGE_CODEPAGE: Final = 0x3FFD  # the code page of an ANSI file's 8-bit strings
CLIENT_SUBMIT_TIME: Final = 0x0039
DELIVERY_TIME: Final = 0x0E06
TRANSPORT_HEADERS: Final = 0x007D
INTERNET_MESSAGE_ID: Final = 0x1035
IN_REPLY_TO_ID: Final = 0x1042
INTERNET_REFERENCES: Final = 0x1039
SEARCH_KEY: Final = 0x300B
SENDER_NAME: Final = 0x0C1A
SENDER_ADDRTYPE: Final = 0x0C1E
SENDER_EMAIL: Final = 0x0C1F
SENDER_SMTP: Final = 0x5D01
REPRESENTING_NAME: Final = 0x0042
REPRESENTING_ADDRTYPE: Final = 0x0064
REPRESENTING_EMAIL: Final = 0x0065
REPRESENTING_SMTP: Final = 0x5D02
START_DATE: Final = 0x0060
END_DATE: Final = 0x0061

# --- contacts -----------------------------------------------------------------------------------

DISPLAY_NAME: Final = 0x3001
GIVEN_NAME: Final = 0x3A06
SURNAME: Final = 0x3A11
MIDDLE_NAME: Final = 0x3A44
NICKNAME: Final = 0x3A4F
COMPANY: Final = 0x3A16
TITLE: Final = 0x3A17
PHONES: Final = (0x3A1C, 0x3A08, 0x3A09, 0x3A1B, 0x3A2F, 0x3A1A)  # mobile, work, home, ...

# --- recipients ---------------------------------------------------------------------------------

RECIPIENT_TYPE: Final = 0x0C15  # 1 To, 2 Cc, 3 Bcc (a resource, for meetings)
RECIPIENT_NAME: Final = 0x3001
RECIPIENT_ADDRTYPE: Final = 0x3002
RECIPIENT_EMAIL: Final = 0x3003
RECIPIENT_SMTP: Final = 0x39FE
RECIPIENT_FLAGS: Final = 0x5FFD  # 0x2: the meeting's organizer
RECIPIENT_TRACK_STATUS: Final = 0x5FFF  # 2 tentative, 3 accepted, 4 declined

MSGFLAG_UNSENT: Final = 0x0008

ITEM_TAGS: Final = frozenset(
    {
        MESSAGE_CLASS,
        MESSAGE_FLAGS,
        MESSAGE_CODEPAGE,
        CLIENT_SUBMIT_TIME,
        DELIVERY_TIME,
        TRANSPORT_HEADERS,
        INTERNET_MESSAGE_ID,
        IN_REPLY_TO_ID,
        INTERNET_REFERENCES,
        SEARCH_KEY,
        SENDER_NAME,
        SENDER_ADDRTYPE,
        SENDER_EMAIL,
        SENDER_SMTP,
        REPRESENTING_NAME,
        REPRESENTING_ADDRTYPE,
        REPRESENTING_EMAIL,
        REPRESENTING_SMTP,
        START_DATE,
        END_DATE,
        DISPLAY_NAME,
        GIVEN_NAME,
        SURNAME,
        MIDDLE_NAME,
        NICKNAME,
        COMPANY,
        TITLE,
        *PHONES,
    }
)
RECIPIENT_TAGS: Final = frozenset(
    {
        RECIPIENT_TYPE,
        RECIPIENT_NAME,
        RECIPIENT_ADDRTYPE,
        RECIPIENT_EMAIL,
        RECIPIENT_SMTP,
        RECIPIENT_FLAGS,
        RECIPIENT_TRACK_STATUS,
    }
)

# --- named properties: (property set, long id), numbered per file from 0x8000 --------------------

ADDRESS_SET: Final = uuid.UUID("00062004-0000-0000-c000-000000000046")  # PSETID_Address
APPOINTMENT_SET: Final = uuid.UUID("00062002-0000-0000-c000-000000000046")  # PSETID_Appointment
MEETING_SET: Final = uuid.UUID("6ed8da90-450b-101b-98da-00aa003f1305")  # PSETID_Meeting

NamedTag = tuple[uuid.UUID, int]
EMAILS: Final = tuple((ADDRESS_SET, lid) for lid in (0x8083, 0x8093, 0x80A3))  # Email1..3
EMAIL_TYPES: Final = tuple((ADDRESS_SET, lid) for lid in (0x8082, 0x8092, 0x80A2))
APPOINTMENT_START: Final = (APPOINTMENT_SET, 0x820D)
APPOINTMENT_END: Final = (APPOINTMENT_SET, 0x820E)
APPOINTMENT_STATE: Final = (APPOINTMENT_SET, 0x8217)  # 0x4: cancelled
RECURRING: Final = (APPOINTMENT_SET, 0x8223)
RECURRENCE_PATTERN: Final = (APPOINTMENT_SET, 0x8216)
TIMEZONE_STRUCT: Final = (APPOINTMENT_SET, 0x8233)
GLOBAL_OBJECT_ID: Final = (MEETING_SET, 0x0003)  # what Outlook exports as the iCalendar UID

NAMED_TAGS: Final = frozenset(
    {
        *EMAILS,
        *EMAIL_TYPES,
        APPOINTMENT_START,
        APPOINTMENT_END,
        APPOINTMENT_STATE,
        RECURRING,
        RECURRENCE_PATTERN,
        TIMEZONE_STRUCT,
        GLOBAL_OBJECT_ID,
    }
)

_PS_MAPI = uuid.UUID("00020328-0000-0000-c000-000000000046")
_PS_PUBLIC_STRINGS = uuid.UUID("00020329-0000-0000-c000-000000000046")


def named_tag_numbers(guids: bytes, entries: bytes) -> dict[int, NamedTag]:
    """The file's numbering of named properties (tag >= 0x8000 -> (set, long id)).

    Read from the name-to-id map's GUID and entry streams (MS-PST 2.4.7): each entry is a
    long id (or string offset), a GUID index with a string flag in bit 0, and the tag's offset
    from 0x8000. Properties named by a string are not needed and are left out.
    """
    numbers: dict[int, NamedTag] = {}
    for offset in range(0, len(entries) - 7, 8):
        long_id, guid_index, tag_offset = struct.unpack_from("<IHH", entries, offset)
        if guid_index & 1:
            continue
        index = guid_index >> 1
        if index == 1:
            guid = _PS_MAPI
        elif index == 2:
            guid = _PS_PUBLIC_STRINGS
        else:
            raw = guids[(index - 3) * 16 : (index - 2) * 16]
            if len(raw) != 16:
                continue
            guid = uuid.UUID(bytes_le=raw)
        numbers[0x8000 + tag_offset] = (guid, long_id)
    return numbers
