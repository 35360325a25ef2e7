"""The table of code families: one entry per family (name, regex, canonicaliser, examples).

What an entry is (``Family``) and what it reads (``Canon``) are in ``family.py``.
Adding a studio is one :class:`Family` entry in :data:`FAMILIES` plus a test: the examples of
every entry are run by ``tests/moviecode/test_moviecode_families.py``.  Regexes run on the
cleaned-up, ASCII-upper-cased name (see ``parser.py``), so they are written in upper case and
compiled case-sensitive (much faster than ``re.IGNORECASE``); a canonicaliser gets the match and
the name in its original case (same length) and turns the match into a :class:`Canon` or
rejects it with ``None``.
"""

from __future__ import annotations

import re

from .cid import format_number, is_content_id, is_padded_content_id
from .family import GENERIC, Canon, Family
from .family import NOT_GLUED as _B
from .family import ascii_pattern as _re
from .family import fixed as _fixed
from .noise import NOISE_LABELS, RESOLUTION_PREFIXES
from .suffix import known_glued

# --- standard LABEL-NUMBER, digit-prefixed amateur labels, DMM content ids -------------------

_SEP_QUALITY = {"-": 0, "_": 1, "": 2, " ": 3}
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_GLUED_RE = re.compile(r"[A-Z0-9]+", re.ASCII)
UNKNOWN_GLUED_PENALTY = 4  # "MGS-259LUXU-1234": letters glued after the number that mean nothing


def _standard(m: re.Match[str], original: str) -> Canon | None:
    start, stop = m.span("label")
    raw = original[start:stop]
    h, pre, sep, num = m.group("h", "pre", "sep", "num")
    if (pre in RESOLUTION_PREFIXES and raw[0] in "PpKk" and len(raw) > 2
            and not is_padded_content_id(h, pre, sep, num)):
        raw, pre = raw[1:], None  # 720pABP-123, 4KABP-123 (but 4kmhrs00050 is a cid)
    label = raw.upper()
    if label in NOISE_LABELS:
        return None
    if sep != "-":
        if len(num) < 3 and not h:
            return None  # abc12, clip_01, at 12: two digits need an explicit hyphen
        if sep == " " and len(label) > 5 and not raw.isupper():
            return None  # "vacation 123"
        if sep != "_" and raw.istitle():
            return None  # Title-case word glued to a number: "Summer2019", "Room 101"
        if (
            len(num) == 4
            and sep != "_"
            and (sep == " " or len(label) >= 5)
            and 1950 <= int(num) <= 2039
        ):
            return None  # "vacation 2019", "summer2019": a year, not a code number
    if is_content_id(h, pre, sep, num):
        code, note = f"{label}-{format_number(num)}", "DMM content id: prefix and padding dropped"
    elif m["codec"]:
        code, note = f"{label}-{format_number(num)}", f"codec tag {m['codec']} dropped"
    elif pre and len(pre) == 4:
        code, note = f"{label}-{format_number(num)}", f"date/upload prefix {pre} dropped"
    elif pre:
        code, note = f"{pre}{label}-{format_number(num)}", "digit-prefixed label kept"
    else:
        code, note = f"{label}-{format_number(num)}", ""
    end = m.end()
    text = m.string
    # catalog (edition) letter kept, glued or after - or _: IBW-230Z, IPX-535-E, PRED-123E
    letter = end + (end < len(text) and text[end] in "-_")
    if (
        letter < len(text)
        and text[letter] in "ZE"
        and (letter + 1 == len(text) or text[letter + 1] not in _ALNUM)
    ):
        code += text[letter]
        end = letter + 1
        note = (note + "; " if note else "") + "catalog suffix letter kept"
    quality = _SEP_QUALITY.get(sep, 3)
    if end < len(text) and text[end] in _ALNUM:
        glued = _GLUED_RE.match(text, end)
        if glued is not None and not known_glued(glued.group()):
            quality += UNKNOWN_GLUED_PENALTY
    return Canon(code, GENERIC, quality, end, note)


STANDARD = Family(
    "standard",
    "LABEL-NUMBER: 2-8 letter label, 2-5 digit number (digit prefix kept, cid padding dropped)",
    _re(
        _B + r"(?:(?P<h>H_\d{2,4})|(?P<pre>\d{1,4})|(?P<codec>[HX]26[45]|HEVC))?"
        r"(?P<label>[A-Z]{2,8})"
        r"(?P<sep>[-_ ]?)(?P<num>\d{2,5})(?!\d)"
    ),
    _standard,
    (
        ("ABP-123", "ABP-123"), ("ipx177", "IPX-177"), ("abp00012", "ABP-012"),
        ("xyz01234", "XYZ-1234"), ("259LUXU-1234", "259LUXU-1234"), ("118abw00001", "ABW-001"),
        ("h_1472smkcx003", "SMKCX-003"), ("IBW-230Z", "IBW-230Z"), ("0504xvsr060", "XVSR-060"),
    ),
)

# --- uncensored studios dated MMDDYY-NNN / MMDDYY_NNN ---------------------------------------

# (regex alternatives, studio, separator, minimum digits of the number)
DATE_STUDIOS: tuple[tuple[str, str, str, int], ...] = (
    ("CARIBBEANCOMPR|CARIBBEANPR|CARIBPR|カリビアンコムプレミアム", "caribbeancom premium", "_", 3),
    ("CARIBBEANCOM|CARIBBEAN|CARIB|カリビアンコム|カリビアン", "caribbeancom", "-", 3),
    ("1PONDO|1PON|PONDO|一本道", "1pondo", "_", 3),
    ("PACOPACOMAMA|PACOMAMA|PACO|パコパコママ", "pacopacomama", "_", 3),
    ("10MUSUME|10MU|天然むすめ", "10musume", "_", 2),
    ("MURAMURA|MURA|ムラムラ", "muramura", "_", 3),
)
_STUDIO_RE = _re(
    _B + "(?:" + "|".join(f"(?P<s{i}>{alts})" for i, (alts, *_r) in enumerate(DATE_STUDIOS)) + ")"
    r"(?![A-Z])"
)


# a studio word written right before the number: "carib-", "1pondo_", "10musume "
_STUDIO_PREFIX_RE = _re(_STUDIO_RE.pattern + r"[-_\s]?$")


def _date(m: re.Match[str], _original: str) -> Canon | None:
    date, sep, num = m["mm"] + m["dd"] + m["yy"], m["sep"], m["num"]
    if 1 <= int(m["mm"]) <= 12 and 1 <= int(m["dd"]) <= 31:
        studio = _STUDIO_RE.search(m.string)
        note = "studio word → {}"
    else:
        # not a date: only the studio's own prefix makes the six digits its number
        studio = _STUDIO_PREFIX_RE.search(m.string, max(0, m.start() - 24), m.start())
        note = "studio prefix → {}; number kept as written (not a date)"
    if studio is not None and studio.lastgroup is not None:
        _alts, name, out_sep, digits = DATE_STUDIOS[int(studio.lastgroup[1:])]
        return Canon(f"{date}{out_sep}{num.zfill(digits)}", note=note.format(name))
    if not (1 <= int(m["mm"]) <= 12 and 1 <= int(m["dd"]) <= 31):
        return None
    if sep not in "-_":
        return None
    note = "no studio word: separator kept as written"
    return Canon(f"{date}{sep}{num}", GENERIC, _SEP_QUALITY[sep], -1, note)


DATED = Family(
    "uncensored-date",
    "MMDDYY-NNN (Caribbeancom) / MMDDYY_NNN (1pondo, pacopacomama, muramura, 10musume _NN)",
    _re(r"(?<!\d)(?P<mm>\d\d)(?P<dd>\d\d)(?P<yy>\d\d)(?P<sep>[-_\s])(?P<num>\d{2,3})(?!\d)"),
    _date,
    (
        ("062620-001-carib-1080p", "062620-001"), ("carib_062620_001", "062620-001"),
        ("1pondo-062620-001", "062620_001"), ("paco 062620_001", "062620_001"),
        ("10mu_062620_01", "062620_01"), ("caribpr 062620-001", "062620_001"),
        ("062620_001", "062620_001"), ("062620-001", "062620-001"),
    ),
)

# --- other families, each small ------------------------------------------------------------


def _heydouga(m: re.Match[str], _original: str) -> Canon | None:
    first = m["a"] or m["b"]
    second = m["n"].lstrip("0").zfill(3)
    return Canon(f"HEYDOUGA-{first}-{second}")


_TOKYO_HOT_RE = _re(r"TOKYO[-_\s]?HOT|東京熱|トウキョウホット")


def _tokyo_hot(m: re.Match[str], _original: str) -> Canon | None:
    if _TOKYO_HOT_RE.search(m.string) is None:
        return None
    return Canon(f"{m[1]}{m[2]}", note="Tokyo-Hot word present")


def _tokyo_hot_bare(m: re.Match[str], _original: str) -> Canon | None:
    if m[1]:
        return Canon(f"{m[1]}{m[2]}", GENERIC, 0, -1, "bare Tokyo-Hot shape")
    # cz/se + three digits, glued as Tokyo-Hot writes them; a hyphenated code elsewhere wins
    return Canon(f"{m[3]}{m[4]}", GENERIC, 2, -1, "bare Tokyo-Hot two-letter series")


def _western(m: re.Match[str], _original: str) -> Canon | None:
    if not (1 <= int(m["mm"]) <= 12 and 1 <= int(m["dd"]) <= 31):
        return None
    return Canon(f"{m['studio']}.{m['yy']}.{m['mm']}.{m['dd']}")


_WESTERN = (
    "X-ART|XART|SEXART|METARTX|METART|BLACKEDRAW|BLACKED|TUSHYRAW|TUSHY|VIXEN|DEEPER|SLAYED"
    "|BRAZZERS|REALITYKINGS|BANGBROS|NAUGHTYAMERICA|EVILANGEL|DIGITALPLAYGROUND|WOWGIRLS"
    "|ULTRAFILMS|JOYMII|HEGRE|NUBILES|PASSION-HD|PASSIONHD|HOLED|TINY4K|LUBED|PUREMATURE"
    "|FAMILYSTROKES|TEAMSKEET|MOFOS|DORCELCLUB|LEGALPORNO|DADDY4K|NUBILEFILMS|PURETABOO"
    "|MISSAX|FAKEHUB|PUBLICAGENT|FAKETAXI|WOWPORN|ERITO|ALSSCAN|FEMJOY|MPLSTUDIOS|THELIFEEROTIC"
)

FAMILIES: tuple[Family, ...] = (
    Family(
        "fc2",
        "FC2 article id, 5-8 digits, PPV word dropped",
        _re(_B + r"FC2[-_\s()\[\]【】]*(?:PPV[-_\s()\[\]【】]*)?(\d{5,8})(?!\d)"),
        _fixed("FC2-{}"),
        (("FC2-PPV-1234567", "FC2-1234567"), ("fc2ppv_738573", "FC2-738573"),
         ("(FC2)(424646)", "FC2-424646"), ("FC2 PPV 568642", "FC2-568642")),
        ("FC2",),
    ),
    Family(
        "heyzo",
        "HEYZO-NNNN (hd/lt/full words ignored)",
        _re(_B + r"HEYZO[-_\s]*(?:(?:HD|LT|FULL)[-_\s]*)?(\d{4})(?!\d)"),
        _fixed("HEYZO-{}"),
        (("heyzo_hd_1380_full", "HEYZO-1380"), ("HEYZO-0123", "HEYZO-0123"),
         ("heyzo_lt_1380", "HEYZO-1380")),
        ("HEYZO",),
    ),
    Family(
        "heydouga",
        "HEYDOUGA-4030-2016 (hey- / heydouga prefix, leading zeros of the 2nd number dropped)",
        _re(
            _B + r"(?:HEYDOUGA[-_\s]*(?P<a>\d{4})|HEY[-_\s]*(?P<b>4\d{3}))[-_\s]*"
            r"(?:PPV[-_\s]*)?(?P<n>\d{3,6})(?!\d)"
        ),
        _heydouga,
        (("heydouga-4030-2113", "HEYDOUGA-4030-2113"), ("hey-4030-2016", "HEYDOUGA-4030-2016"),
         ("heydouga4030-2016", "HEYDOUGA-4030-2016"), ("hey-4044-04144", "HEYDOUGA-4044-4144")),
        ("HEY",),
    ),
    DATED,
    Family(
        "tokyo-hot",
        "Tokyo-Hot n/k/kb/cz/gedo/se + digits, glued (needs a Tokyo-Hot word)",
        _re(_B + r"(N|K|KB|CZ|GEDO|SE)[-_\s]?(\d{3,4})(?!\d)"),
        _tokyo_hot,
        (("Tokyo Hot n1234", "N1234"), ("tokyo_hot-k0123", "K0123"),
         ("TokyoHot-kb1234", "KB1234"), ("Tokyo-Hot cz015", "CZ015")),
        ("HOT", "東京熱", "トウキョウホット"),
    ),
    Family(
        "tokyo-hot-bare",
        "bare Tokyo-Hot n1234 / k1234 / kb1234 (four digits), cz015 / se125 (three, glued)",
        _re(_B + r"(?:(N|K|KB)(\d{4})|(CZ|SE)(\d{3}))(?!\d)"),
        _tokyo_hot_bare,
        (("n1234", "N1234"), ("k0123.mp4", "K0123"), ("kb1234-cd1", "KB1234"),
         ("cz015", "CZ015"), ("se125.mp4", "SE125")),
    ),
    Family(
        "tma",
        "TMA T28-NNN (also t28123, t-28-001, DMM 55t28621tk)",
        _re(r"(?<![A-Z])(?:\d{1,3})?T[-_]?28[-_\s]?(\d{3})(?!\d)"),
        _fixed("T28-{}"),
        (("T28-557", "T28-557"), ("t28123", "T28-123"), ("t-28-001", "T28-001"),
         ("55t28621tk", "T28-621")),
        ("28",),
    ),
    Family(
        "r18",
        "R18-NNN (also written R-18-NNN)",
        _re(_B + r"R[-_]?18[-_\s]?(\d{3})(?!\d)"),
        _fixed("R18-{}"),
        (("R18-123", "R18-123"), ("r18_045", "R18-045"), ("R-18-123", "R18-123")),
        ("R18", "R-18", "R_18"),
    ),
    Family(
        "alnum-label",
        "labels containing digits: S2M, S2MBD, MK3D2DBD, MCB3DBD, CW3D2DBD (number >= 3 digits)",
        _re(_B + r"(S2MBD|S2MCR|S2M|MK3D2DBD|MCB3DBD|CW3D2DBD|CW3DBD|MCB3D)[-_\s]?(\d{2,4})(?!\d)"),
        _fixed("{}-{}", pad=3),
        (("S2M-007", "S2M-007"), ("S2MBD-007", "S2MBD-007"), ("MK3D2DBD-01", "MK3D2DBD-001"),
         ("mcb3dbd25", "MCB3DBD-025")),
        ("S2M", "3D"),
    ),
    Family(
        "letter-number",
        "number with a letter inside: MKBD-S143, MKD-S148",
        _re(_B + r"(MKBD|MKD)[-_\s]?(S\d{2,3})(?!\d)"),
        _fixed("{}-{}"),
        (("MKBD-S143", "MKBD-S143"), ("mkd-s148", "MKD-S148"), ("mkbds01", "MKBD-S01")),
        ("MKBD", "MKD"),
    ),
    Family(
        "xxx-av",
        "XXX-AV-NNNNN",
        _re(_B + r"XXX[-_\s]?AV[-_\s]?(\d{4,5})(?!\d)"),
        _fixed("XXX-AV-{}"),
        (("XXX-AV-22061", "XXX-AV-22061"), ("xxx-av-1789", "XXX-AV-1789")),
        ("XXX",),
    ),
    Family(
        "madou",
        "Madou three-part codes MKY-NS-001",
        _re(_B + r"(MKY)[-_\s]?([A-Z]{2})[-_\s]?(\d{3})(?!\d)"),
        _fixed("{}-{}-{}"),
        (("MKY-NS-001", "MKY-NS-001"), ("mky-hs-004", "MKY-HS-004")),
        ("MKY",),
    ),
    Family(
        "th101",
        "TH101-NNN-NNNNNN",
        _re(_B + r"TH101[-_\s]?(\d{3})[-_\s]?(\d{6})(?!\d)"),
        _fixed("TH101-{}-{}"),
        (("TH101-140-112594", "TH101-140-112594"),),
        ("TH101",),
    ),
    Family(
        "kin8",
        "Kin8tengoku KIN8-NNNN",
        _re(_B + r"KIN8(?:TENGOKU)?[-_\s]*(\d{4})(?!\d)"),
        _fixed("KIN8-{}"),
        (("kin8-1234", "KIN8-1234"), ("kin8tengoku_3355", "KIN8-3355")),
        ("KIN8",),
    ),
    Family(
        "1000giri",
        "1000giri YYMMDD",
        _re(_B + r"1000GIRI[-_\s]*(\d{6})(?!\d)"),
        _fixed("1000GIRI-{}"),
        (("1000giri-130906", "1000GIRI-130906"),),
        ("1000GIRI",),
    ),
    Family(
        "av9898",
        "AV9898-NNNN",
        _re(_B + r"AV9898[-_\s]*(\d{3,4})(?!\d)"),
        _fixed("AV9898-{}"),
        (("av9898-1234", "AV9898-1234"),),
        ("AV9898",),
    ),
    Family(
        "mywife",
        "Mywife No.NNNN",
        _re(_B + r"MYWIFE[-_\s]*(?:NO[.\s_-]*)?(\d{3,4})(?!\d)"),
        _fixed("MYWIFE-{}"),
        (("mywife No.1111", "MYWIFE-1111"), ("mywife-1111", "MYWIFE-1111")),
        ("MYWIFE",),
    ),
    Family(
        "shop-id",
        "web shops: GETCHU-, GYUTTO-, PCOLLE-, GCOLLE- + numeric id",
        _re(_B + r"(GETCHU|GYUTTO|PCOLLE|GCOLLE)[-_\s]*(\d{5,8})(?!\d)"),
        _fixed("{}-{}"),
        (("getchu-4041236", "GETCHU-4041236"), ("gyutto-254274", "GYUTTO-254274"),
         ("gcolle_123456", "GCOLLE-123456")),
        ("GETCHU", "GYUTTO", "COLLE"),
    ),
    Family(
        "h0930",
        "H0930 / H4610 / C0930 site ids: H4610-KI180913",
        _re(_B + r"([HC](?:0930|4610|0230))[-_\s]?([A-Z]{2,12}\d{3,8})(?![A-Z0-9])"),
        _fixed("{}-{}"),
        (("h4610-ki180913", "H4610-KI180913"), ("c0930-hitozuma1234", "C0930-HITOZUMA1234"),
         ("H0930 ori1234", "H0930-ORI1234")),
        ("0930", "4610", "0230"),
    ),
    Family(
        "western-date",
        "western studio + date: X-ART.18.05.15, sexart.11.11.11",
        _re(
            _B + r"(?P<studio>" + _WESTERN + r")[-_.\s]+(?P<yy>\d\d)[-_.\s](?P<mm>\d\d)"
            r"[-_.\s](?P<dd>\d\d)(?!\d)"
        ),
        _western,
        (("x-art.18.05.15", "X-ART.18.05.15"), ("sexart.11.11.11", "SEXART.11.11.11"),
         ("Blacked.19.01.01.Some.Name", "BLACKED.19.01.01")),
        (".",),
    ),
    STANDARD,
)
