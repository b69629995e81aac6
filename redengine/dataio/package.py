"""The uploaded file, vetted before any spreadsheet library sees it (security-goals.md, "Bad input").

An .xlsx is a ZIP of XML parts. Before python-calamine reads one, this module makes sure that it is
one (not a CSV, a legacy .xls or an encrypted file under another name), that it is not too big to
read, that it cannot unpack to gigabytes (zip bomb: the directory's sizes are checked, then every
XML part is decompressed here in bounded chunks and must match them), that no part declares a
DOCTYPE or entities (entity expansion), that it has no macros, and that the sheets to be read have
no formulas and no cell so far down or right that calamine would allocate the whole rectangle: a
single value at XFD1048576 makes it ask for 512 GB and abort the process.

Checks that look at every byte use ``bytes`` regular expressions over the stream (a fraction of a
second for 100,000 rows); the slower XML parser only runs to locate formulas in a sheet known to
have some.
"""

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from posixpath import normpath
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _

from .errors import WorkbookRejected

MB = 1024 * 1024
CHUNK = MB
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream of an encrypted .xlsx
WORKBOOK, WORKBOOK_RELS, CONTENT_TYPES = (
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
)
XML_SUFFIXES = (".xml", ".rels", ".vml")
MAX_INDEX_PART = 16 * MB  # workbook.xml and its relationships are parsed whole

# Tag patterns allow a namespace prefix (<x:c …>), which some generators write. The prefix costs the
# regular expression engine dearly, so a piece without any ':c' tag takes the plain patterns.
PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# The cell's address, and '/' when the tag closes itself, or the closing tag right after it (openpyxl
# with lxml writes <c r="A5" s="1"></c>): such a cell has no value, and calamine skips it, so formatted but
# empty cells far down do not count as used. (A tag cut from its closing tag by a piece's end counts as
# used: the scan is an upper bound.)
REF_ATTRIBUTE = (
    rb"(?<=\s)r\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})[\"'][^>]*?(/>|>\s*</" + PREFIX + rb"c>|>)"
)
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
XML_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
CELL_TAG = re.compile(rb"<" + PREFIX + rb"c[\s/>]")
CELL_REF = re.compile(rb"<" + PREFIX + rb"c\s[^>]*?" + REF_ATTRIBUTE)
PLAIN_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
PLAIN_CELL_REF = re.compile(rb"<c\s[^>]*?" + REF_ATTRIBUTE)
PREFIXED_CELL = re.compile(rb":c[\s/>]")
FORMULA_TAG = re.compile(rb"<" + PREFIX + rb"f[\s/>]")
FORMULA_HINTS = (re.compile(rb"<f[\s/>]"), re.compile(rb":f[\s/>]"))
SHARED_STRING_TAG = re.compile(rb"<" + PREFIX + rb"si[\s>]")
PREFIXED_SHARED_STRING = re.compile(rb":si[\s>]")
REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


@dataclass(frozen=True)
class Limits:
    """What a workbook may be; a file beyond any of them is refused before it is read."""

    max_bytes: int = 20 * MB
    max_unpacked_bytes: int = 200 * MB
    max_ratio: int = 100  # uncompressed / compressed for one part; Excel's sheets are near 10
    max_parts: int = 10_000
    max_rows: int = 1_000_000
    # calamine holds a sheet's whole rectangle of cells (about 32 bytes each) in memory.
    max_cells: int = 10_000_000


def column_number(letters):
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number):
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SheetScan:
    """What the raw XML of a sheet holds: formulas, and how far down and right its cells with content
    reach (an upper bound of the rectangle calamine will allocate)."""

    def __init__(self):
        self.has_formula = False
        self.max_row = self.max_column = self.cells = self.addressed = 0
        self._rest = b""

    def feed(self, chunk):
        # Cut at the last '>' so that no tag is split between two pieces.
        data = self._rest + chunk
        cut = data.rfind(b">") + 1
        self._rest = data[cut:]
        self._scan(data[:cut])

    def close(self):
        self._scan(self._rest)
        self._rest = b""

    def _scan(self, data):
        if not data:
            return
        if not self.has_formula and any(hint.search(data) for hint in FORMULA_HINTS):
            self.has_formula = FORMULA_TAG.search(data) is not None
        if PREFIXED_CELL.search(data):
            refs = CELL_REF.findall(data)
            self.cells += len(CELL_TAG.findall(data))
        else:
            refs = PLAIN_CELL_REF.findall(data)
            self.cells += sum(data.count(tag) for tag in PLAIN_CELL_TAGS)
        self.addressed += len(refs)
        rows = {row for _c, row, end in refs if end == b">"}
        if rows:
            self.max_row = max(self.max_row, *(int(row) for row in rows))
            columns = {c for c, _r, end in refs if end == b">"}
            self.max_column = max(self.max_column, *(column_number(c.decode()) for c in columns))


@dataclass
class SheetPart:
    title: str  # as written in the workbook
    part: str  # the ZIP member holding its XML
    scan: SheetScan | None = None  # only for the sheets to be read


def looks_like_text(head):
    """CSV, TSV or HTML saved under an .xlsx name: no NUL or control bytes, decodes as UTF-8 or GB18030."""
    if any(byte < 32 and byte not in b"\t\r\n\x0c" for byte in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut by the end of the sample
                return True
            continue
        return True
    return False


def check_signature(fileobj, size, limits):
    """Refuse what is plainly not an .xlsx, from its size and first bytes only."""
    if size == 0:
        raise WorkbookRejected(_("The file is empty."))
    if size > limits.max_bytes:
        raise WorkbookRejected(
            _("The file is larger than %(limit)s MB. Split it into several workbooks.")
            % {"limit": limits.max_bytes // MB}
        )
    fileobj.seek(0)
    head = fileobj.read(4096)
    if head.startswith(ZIP_SIGNATURE):
        return
    if head.startswith(OLE2_SIGNATURE):
        raise WorkbookRejected(encrypted() if is_encrypted_ole2(fileobj) else legacy_xls())
    if looks_like_text(head):
        raise WorkbookRejected(
            _(
                "The file is a text file (such as CSV) under an Excel name, not an Excel workbook. Open it "
                "in Excel or WPS and save it as an Excel workbook (.xlsx)."
            )
        )
    raise WorkbookRejected(_("The file is not an Excel workbook (.xlsx)."))


def is_encrypted_ole2(fileobj):
    """An encrypted .xlsx is an OLE2 file with an EncryptedPackage stream; a legacy .xls has none."""
    fileobj.seek(0)
    tail = b""
    while chunk := fileobj.read(CHUNK):
        if ENCRYPTED_PACKAGE in tail + chunk:
            return True
        tail = chunk[-len(ENCRYPTED_PACKAGE) :]
    return False


def encrypted():
    return _(
        "The workbook is protected by a password, so it cannot be read. Remove the password in Excel or "
        "WPS, save the workbook and upload it again."
    )


def legacy_xls():
    return _(
        "The file is in the old Excel 97-2003 format (.xls). Open it in Excel or WPS and save it as an "
        "Excel workbook (.xlsx)."
    )


def damaged():
    return _(
        "The file is damaged or incomplete (it may have been cut off while uploading). Open it in Excel "
        "or WPS, save it again and upload it."
    )


def damaged_part(part):
    return _("The file is damaged: its part %(part)s cannot be read.") % {"part": part}


def zip_bomb(reason):
    return _("%(reason)s The file is refused as a possible zip bomb.") % {"reason": reason}


class Package:
    """A vetted .xlsx: ``sheets`` maps each sheet title to its part; ``wanted(title)`` chose which to scan."""

    def __init__(self, fileobj, size, limits, wanted):
        self.fileobj = fileobj
        self.limits = limits
        self.shared_strings = "xl/sharedStrings.xml"
        check_signature(fileobj, size, limits)
        try:
            archive = zipfile.ZipFile(fileobj)
            self.infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            raise WorkbookRejected(damaged()) from None
        self.members = {info.filename: info for info in self.infos}
        self.check_members()
        self.check_sizes()
        self.sheets = self.read_sheet_index(wanted)
        self.scan_parts()
        for sheet in self.sheets.values():
            if sheet.scan is not None:
                self.check_extent(sheet)

    def check_members(self):
        names = [info.filename for info in self.infos]
        if len(names) != len(self.members):
            raise WorkbookRejected(damaged())
        if CONTENT_TYPES not in self.members or WORKBOOK not in self.members:
            raise WorkbookRejected(
                _(
                    "The file is a ZIP archive but not an Excel workbook (.xlsx). Open it in Excel or WPS "
                    "and save it as an Excel workbook."
                )
            )
        lowered = [name.lower() for name in names]
        if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
            raise WorkbookRejected(
                _(
                    "The workbook contains macros. Save it as an Excel workbook (.xlsx) without macros and "
                    "upload it again."
                )
            )
        if any(info.flag_bits & 0x1 for info in self.infos):
            raise WorkbookRejected(encrypted())
        for info in self.infos:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise WorkbookRejected(damaged_part(info.filename))

    def check_sizes(self):
        """Zip-bomb checks on the sizes the ZIP directory declares (the stream is held to them later)."""
        limits = self.limits
        if len(self.infos) > limits.max_parts:
            reason = _("The file has more than %(limit)s parts.") % {"limit": limits.max_parts}
            raise WorkbookRejected(zip_bomb(reason))
        if sum(info.file_size for info in self.infos) > limits.max_unpacked_bytes:
            reason = _("The file would unpack to more than %(limit)s MB.") % {
                "limit": limits.max_unpacked_bytes // MB
            }
            raise WorkbookRejected(zip_bomb(reason))
        for info in self.infos:
            if info.file_size > limits.max_ratio * max(info.compress_size, 1):
                reason = _("Its part %(part)s is compressed more than %(ratio)s to 1.") % {
                    "part": info.filename,
                    "ratio": limits.max_ratio,
                }
                raise WorkbookRejected(zip_bomb(reason))

    def chunks(self, info):
        """The part's bytes, decompressed here in bounded chunks and held to the directory's size and CRC."""
        fileobj = self.fileobj
        fileobj.seek(info.header_offset)
        header = fileobj.read(30)
        if len(header) != 30 or not header.startswith(ZIP_SIGNATURE):
            raise WorkbookRejected(damaged_part(info.filename))
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        fileobj.seek(info.header_offset + 30 + name_length + extra_length)
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        left, produced, crc = info.compress_size, 0, 0
        while True:
            if inflater is not None and inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif left > 0:
                data = fileobj.read(min(CHUNK, left))
                if not data:
                    raise WorkbookRejected(damaged())
                left -= len(data)
            else:
                break
            try:
                out = inflater.decompress(data, CHUNK) if inflater is not None else data
            except zlib.error:
                raise WorkbookRejected(damaged_part(info.filename)) from None
            produced += len(out)
            if produced > info.file_size:  # the directory lied about the size: a disguised bomb
                raise WorkbookRejected(damaged_part(info.filename))
            crc = zlib.crc32(out, crc)
            if out:
                yield out
            if inflater is not None and inflater.eof:
                break
        if (inflater is not None and not inflater.eof) or produced != info.file_size or crc != info.CRC:
            raise WorkbookRejected(damaged_part(info.filename))

    def xml_chunks(self, info):
        """``chunks`` of an XML part, refusing DOCTYPE/ENTITY declarations and encodings other than UTF-8."""
        tail = b""
        for number, chunk in enumerate(self.chunks(info)):
            if number == 0:
                check_encoding(chunk, info.filename)
            if DECLARATION.search(tail + chunk):
                raise WorkbookRejected(
                    _(
                        "The part %(part)s declares a document type or entities (<!DOCTYPE> or <!ENTITY>), "
                        "which Excel never writes. The file is refused."
                    )
                    % {"part": info.filename}
                )
            tail = chunk[-16:]
            yield chunk

    def part_bytes(self, name):
        info = self.members.get(name)
        if info is None or info.file_size > MAX_INDEX_PART:
            raise WorkbookRejected(damaged_part(name))
        return b"".join(self.xml_chunks(info))

    def read_sheet_index(self, wanted):
        """Sheet titles -> their XML parts, from xl/workbook.xml and its relationships."""
        # Safe with the standard parser: part_bytes has refused any DOCTYPE, hence any entity.
        try:
            book = ElementTree.fromstring(self.part_bytes(WORKBOOK))  # noqa: S314
            rels = ElementTree.fromstring(self.part_bytes(WORKBOOK_RELS))  # noqa: S314
        except ElementTree.ParseError:
            raise WorkbookRejected(damaged_part(WORKBOOK)) from None
        targets = self.targets = {}
        for rel in rels.iter():
            if local(rel.tag) == "Relationship" and rel.get("TargetMode") != "External":
                targets[rel.get("Id")] = resolve(rel.get("Target") or "")
                if (rel.get("Type") or "").endswith("/sharedStrings"):
                    self.shared_strings = targets[rel.get("Id")]
        sheets = {}
        for element in book.iter():
            if local(element.tag) != "sheet":
                continue
            rel_id = next((v for k, v in element.attrib.items() if local(k) == "id"), None)
            title, part = element.get("name") or "", targets.get(rel_id)
            if part is None or part not in self.members:
                raise WorkbookRejected(damaged_part(WORKBOOK))
            sheets[title] = SheetPart(title, part, SheetScan() if wanted(title) else None)
        return sheets

    def scan_parts(self):
        """Stream every XML part once: declarations, true sizes, and the scan of the sheets to read."""
        scans = {sheet.part: sheet.scan for sheet in self.sheets.values() if sheet.scan is not None}
        shared = self.shared_strings
        strings = 0
        read_by_calamine = set(self.targets.values())
        for info in self.infos:
            if not (info.filename.lower().endswith(XML_SUFFIXES) or info.filename in read_by_calamine):
                continue
            scan = scans.get(info.filename)
            for chunk in self.xml_chunks(info):
                if scan is not None:
                    scan.feed(chunk)
                elif info.filename == shared:
                    strings += count_shared_strings(chunk)
            if scan is not None:
                scan.close()
        if strings > self.limits.max_cells:
            raise WorkbookRejected(
                _("The workbook holds more than %(limit)s texts. Split it into several workbooks.")
                % {"limit": self.limits.max_cells}
            )

    def check_extent(self, sheet):
        scan, limits = sheet.scan, self.limits
        if scan.addressed != scan.cells:
            raise WorkbookRejected(
                _(
                    "Sheet %(sheet)s has cells without an address, which Excel never writes. Open the file in "
                    "Excel or WPS and save it again."
                )
                % {"sheet": sheet.title}
            )
        if scan.max_row > limits.max_rows:
            raise WorkbookRejected(
                _(
                    "Sheet %(sheet)s uses rows down to row %(row)s; at most %(limit)s rows can be read. Delete "
                    "the rows below your data, or split the data into several workbooks."
                )
                % {"sheet": sheet.title, "row": scan.max_row, "limit": limits.max_rows}
            )
        if scan.max_row * scan.max_column > limits.max_cells:
            raise WorkbookRejected(
                _(
                    "Sheet %(sheet)s uses cells down to row %(row)s and across to column %(column)s, more "
                    "than %(limit)s cells. Delete the rows and columns beyond your data and save again."
                )
                % {
                    "sheet": sheet.title,
                    "row": scan.max_row,
                    "column": column_letters(scan.max_column),
                    "limit": limits.max_cells,
                }
            )

    def formula_cells(self, sheet):
        """(row, column) numbers, both from 1, of every formula cell of the sheet, in sheet order."""
        found = []
        current = [None]

        def start(name, attrs):
            name = name.rsplit(" ", 1)[-1]
            if name == "c":
                current[0] = attrs.get("r")
            elif name == "f" and current[0] and (not found or found[-1] != current[0]):
                found.append(current[0])

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        try:
            for chunk in self.xml_chunks(self.members[sheet.part]):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise WorkbookRejected(damaged_part(sheet.part)) from None
        cells = []
        for ref in found:
            match = REF.fullmatch(ref)
            if match:
                cells.append((int(match.group(2)), column_number(match.group(1))))
        return cells


def count_shared_strings(chunk):
    """<si> elements in a chunk of sharedStrings.xml (one cut inside a tag is missed: a bound, not a count)."""
    if PREFIXED_SHARED_STRING.search(chunk):
        return len(SHARED_STRING_TAG.findall(chunk))
    return chunk.count(b"<si>") + chunk.count(b"<si ")


def check_encoding(first_chunk, part):
    head = first_chunk[:200].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    declared = XML_ENCODING.match(head)
    if (head and not head.startswith(b"<")) or (
        declared and declared.group(1).lower() not in (b"utf-8", b"utf8")
    ):
        raise WorkbookRejected(
            _("The part %(part)s is not XML encoded in UTF-8, as Excel writes it. The file is refused.")
            % {"part": part}
        )


def local(name):
    """An XML name without its {namespace}."""
    return name.rsplit("}", 1)[-1]


def resolve(target):
    """A relationship target of xl/workbook.xml as a ZIP member name."""
    if target.startswith("/"):
        return normpath(target[1:])
    return normpath("xl/" + target)
