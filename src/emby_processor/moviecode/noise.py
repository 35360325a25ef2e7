"""Noise that surrounds movie codes in real file names, and how to recognise it.

Everything here is data (sets of words, a few precompiled regexes) so that the parser itself
stays a short algorithm.  All words are upper-case; matching is done on ASCII-upper-cased text.
"""

from __future__ import annotations

import re

# File extensions stripped from the end of a basename (case-insensitive, at most two, so that
# ``abp-123.mp4.part`` loses both).  Unknown extensions are left in place: the code regexes treat
# ``.`` as a boundary anyway, and stripping ``.cd1`` or ``.15`` would lose information.
EXTENSIONS: frozenset[str] = frozenset(
    {
        "mp4", "mkv", "avi", "wmv", "mov", "m4v", "ts", "m2ts", "mts", "iso", "rmvb", "rm",
        "flv", "webm", "mpg", "mpeg", "vob", "3gp", "asf", "divx", "ogm", "f4v", "strm",
        "part", "tmp", "crdownload", "download", "!qb", "!ut", "bc!", "td", "xltd",
        "nfo", "jpg", "jpeg", "png", "webp", "srt", "ass", "ssa", "vtt", "sub", "idx", "sup",
        "torrent", "txt", "json", "xml", "url", "lnk",
    }
)

# Domains and site tags: ``hhd800.com``, ``[Thz.la]``, ``www.sexinsex.net``, ``jp.myav.tv``,
# ``FENGNIAO131.VIP``.  They are replaced by a blank before codes are searched, because
# ``hhd800.com`` would otherwise read as HHD-800.  Only top-level domains that do not collide with
# suffix words are listed (no ``.cd``, ``.ch``, ``.in``, ``.hd``).
_TLDS = (
    "COM|NET|ORG|CC|LA|ME|TV|VIP|XYZ|INFO|TOP|CLUB|IO|CO|JP|CN|HK|TW|BIZ|SU|WS|LIVE|FUN|SITE"
    "|ONLINE|APP|TK|PW|LINK|CLICK|MOBI|ASIA|XXX|PORN|SEX|ADULT|AV|CAM|LOVE|WIN|LOL|ICU|SHOP"
    "|STORE|WORK|TODAY|WORLD|SPACE|WEBSITE|PRO|NU|TO|IS|RU|DE|UK|US|EU|KR|SX|GG|MX|BZ|VC|LY"
)
DOMAIN_RE = re.compile(
    r"(?<![A-Z0-9])(?:WWW\.)?(?:[A-Z0-9]{1,40}\.){1,3}(?:" + _TLDS + r")"
    r"(?![A-Z0-9])",
    re.ASCII | re.IGNORECASE,
)

# Windows / Finder copy markers at the very end: ``abp-123 (1)``, ``abp-123 - Copy``, ``副本``.
COPY_MARKER_RE = re.compile(
    r"(?:\s*\(\d{1,2}\)|\s*-\s*(?:copy|复制|副本|コピー)(?:\s*\(\d{1,2}\))?|\s*副本)\s*$",
    re.IGNORECASE,
)

# Control characters and other separators that never belong to a code.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Words that look like ``LABEL-NUMBER`` labels but are never one.  Grouped because the suffix
# reader (which skips noise after a code) only skips quality and site words, not English words.
CAMERA_WORDS: frozenset[str] = frozenset(
    {
        # cameras, phones, screen recorders, messengers
        "IMG", "IMGP", "DSC", "DSCF", "DSCN", "DCIM", "GOPR", "GOPRO", "GP", "GH", "GX", "MVI",
        "MOV", "MAH", "MAQ", "SAM", "DJI", "PXL", "VID", "WIN", "CIMG", "SANY", "HPIM", "PICT",
        "PIC", "PHOTO", "PHOTOS", "IMAGE", "SCREEN", "CAPTURE", "SCREENREC", "RECORD", "REC",
        "RECORDING", "CAM", "CAMERA", "WEBCAM", "SNAP", "SHOT", "FRAME", "SEQ", "TRIM", "WA",
    }
)
MEDIA_WORDS: frozenset[str] = frozenset(
    {
        "VIDEO", "VIDEOS", "CLIP", "CLIPS", "SCENE", "SCENES", "MOVIE", "MOVIES", "FILM", "FILE",
        "FILES", "EP", "EPS", "EPISODE", "SEASON", "SERIES", "PART", "PARTS", "PT", "CD", "DISC",
        "DISK", "DVD", "TRACK", "TAKE", "CHAPTER", "CH", "VOL", "NO", "NUM", "NUMBER", "PAGE",
        "SAMPLE", "TRAILER", "PREVIEW", "TEST", "COPY", "NEW", "DATA", "OUTPUT", "UNTITLED",
        "PROJECT", "TITLE", "LIVE", "STREAM", "DAY", "YEAR", "ITEM", "BACKUP", "TMP", "TEMP",
        "THE", "AND", "AT", "OF", "FROM", "TO", "IN", "ON", "BY", "OR", "MY", "ME", "IS", "VS",
        "TOP", "BEST", "EDIT", "FINAL", "VERSION", "VER", "REV", "ROOM", "CUT", "DEMO", "INTRO",
        "OUTRO", "BONUS", "EXTRA", "EXTRAS", "MAKING", "TEASER", "PROMO", "OPENING", "ENDING",
        "OP", "ED", "NCOP", "NCED", "OVA", "OAD", "LESSON", "LECTURE", "MEETING", "ZOOM",
        "CLASS", "GAME", "LEVEL", "STAGE", "ROUND", "WEEK", "MONTH",
        # folder names that are parents of files with no code
        "USER", "USERS", "HOME", "ADMIN", "ROOT", "VOLUME", "MNT", "MEDIA", "SHARE", "NAS",
        "DOWNLOAD", "DOWNLOADS", "DOCUMENTS", "DESKTOP", "PICTURES", "MUSIC", "LIBRARY", "WATCH",
        "INCOMING", "COMPLETE", "COMPLETED", "DRIVE", "USB", "CARD", "PUBLIC", "GUEST", "DIR",
        "FOLDER", "OLD", "MISC",
    }
)
QUALITY_WORDS: frozenset[str] = frozenset(
    {
        "HD", "FHD", "UHD", "QHD", "SD", "HQ", "LQ", "FULLHD", "HDR", "SDR", "BD", "BDRIP", "BR",
        "BRRIP", "BLURAY", "WEB", "WEBRIP", "WEBDL", "HDTV", "DVDRIP", "REMUX", "RIP", "VR",
        "MP", "MPEG", "MKV", "AVI", "WMV", "FLV", "AAC", "AC", "DTS", "FLAC", "OGG", "OPUS",
        "HEVC", "AVC", "XVID", "DIVX", "BIT", "BITS", "FPS", "YUV", "KBPS", "MBPS", "HZ", "CRF",
        "NVENC", "QSV", "DDP", "EAC", "TRUEHD", "ATMOS", "PCM", "LPCM", "MA", "AUDIO", "FULL",
        "WHOLE", "MP4", "H264", "H265", "X264", "X265", "AV1", "VP9", "AC3", "EAC3", "MP3",
        "DD", "DD5", "DDP5", "2CH", "6CH", "4K", "8K", "2K", "4KS", "1K", "5K", "HDR10",
        "HLG", "10BIT", "8BIT", "12BIT", "60FPS", "30FPS", "120FPS", "HIRES", "SDHD", "HHB",
        "BOD", "DOD", "TK", "SO", "NODRM", "IDOLRED", "PROPER", "REPACK", "CENSORED", "DL",
    }
)
SITE_WORDS: frozenset[str] = frozenset(
    {
        "PPV", "AV", "JAV", "JAVHD", "JAVBUS", "JAVLIB", "JAVDB", "JAVCN", "FFJAV", "MYAV",
        "AVSOX", "AVMOO", "JAVMOST", "MISSAV", "SUPJAV", "JABLE", "NETFLAV", "AVGLE", "THZ",
        "THZU", "HHD", "SIS", "SBW", "FENGNIAO", "HJD", "FUN", "KAN", "NYAP", "FBFB", "JAVGG",
        "UUS", "MONV", "BBS", "WOXAV", "XPLANET", "SEHUATANG", "SHT", "KKJ", "RARBG", "YIFY",
        "XVIDEOS", "PORNHUB", "TORRENT", "MAGNET", "UN", "MGS", "DMM", "FANZA",
    }
)
RELEASE_WORDS: frozenset[str] = frozenset(
    {"UNCENSORED", "UNCEN", "LEAK", "LEAKED", "SUB", "SUBS", "SUBBED", "CHS", "CHT", "UC", "CU"}
)
STUDIO_WORDS: frozenset[str] = frozenset(
    {
        "CARIB", "CARIBBEAN", "CARIBBEANCOM", "CARIBPR", "CARIBBEANCOMPR", "1PON", "1PONDO",
        "PONDO", "PACO", "PACOPACOMAMA", "10MU", "10MUSUME", "MURA", "MURAMURA", "HEYZO",
        "TOKYO", "HOT", "TOKYOHOT", "HEYDOUGA", "KIN8", "KIN8TENGOKU", "FC2",
    }
)

# A generic candidate whose label is one of these is rejected.
NOISE_LABELS: frozenset[str] = (
    CAMERA_WORDS | MEDIA_WORDS | QUALITY_WORDS | SITE_WORDS | RELEASE_WORDS
)

# Tokens skipped while reading the suffix region after a code: they neither stop the region nor
# mean anything.
SUFFIX_NOISE: frozenset[str] = QUALITY_WORDS | SITE_WORDS | STUDIO_WORDS | {"DV", "AI"}

# Numeric noise tokens by shape: 1080p, 720P, 2160p, 1080i30FPS, 60fps, x1080x, 640x480, 1.2K,
# x264, h265, years (four digits), 3-digit-plus numbers that are not parts.
SUFFIX_NOISE_RE = re.compile(
    r"(?:\d{3,4}[PI](?:\d{2,3}(?:FPS)?)?|\d{2,3}FPS|X?\d{3,4}X?|\d{3,4}X\d{3,4}|\d{1,2}K[S]?"
    r"|[XH]\.?26[45]|\d+BIT|\d{5,}|MP[34]|\d+(?:MBPS|KBPS|HZ)|\d{1,2}\.\d{1,2}K|E?AC3|AAC\d?|DDP?\d?|DTS\d?)",
    re.ASCII,
)

# Chinese-subtitle markers that count anywhere in the name (CJK words).
SUBS_ANYWHERE_RE = re.compile(r"中文字幕|中字|字幕|汉化|漢化|简中|繁中|中文")

# Uncensored / leak markers that count anywhere in the name.  Plain ``无码`` is not a leak marker
# (it names a whole category, as JavSP decided); ``CENSORED`` alone is not one either.
UNC_ANYWHERE_RE = re.compile(
    r"(?<![A-Z])(?:UNCEN(?:SORED)?|LEAK(?:ED)?|HACK(?:ED)?|DECENSORED|MOSAIC[-_ ]?REMOVED"
    r"|REDUCING[-_ ]?MOSAIC)"
    r"|無修正|无修正|無修整|流出|破解|無碼流出|无码流出",
    re.ASCII,
)

# Upper-case words of which one must occur for UNC_ANYWHERE_RE to be worth running on ASCII text.
UNC_ASCII_HINTS: tuple[str, ...] = ("UNCEN", "LEAK", "HACK", "DECENSOR", "MOSAIC")

# Japanese part words: 前編 / 後編 (first / second half) anywhere in the name.
PART_WORDS: dict[str, int] = {"前編": 1, "前篇": 1, "後編": 2, "后编": 2, "後篇": 2}

# Resolution numbers that may be glued in front of a label (``720pABP-123``).
# (``4``/``2``/``8`` for ``4KABP-123``; a DMM content id such as ``4kmhrs00050`` keeps its K.)
RESOLUTION_PREFIXES: frozenset[str] = frozenset(
    {"480", "540", "720", "1080", "1440", "2160", "2", "4", "8"}
)
