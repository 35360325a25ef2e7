"""DMM channel prefixes: the shipped table, what is learned, and content ids taken apart."""

from __future__ import annotations

from emby_processor.providers.channels import (
    ChannelBook,
    MemoryChannels,
    content_ids,
    load_shipped,
    parse_content_id,
)


def test_content_ids_taken_apart() -> None:
    assert parse_content_id("118abf030") == ("118", "ABF", 30, "")
    assert parse_content_id("436abf00030") == ("436", "ABF", 30, "")
    assert parse_content_id("h_1472smkcx003") == ("h_1472", "SMKCX", 3, "")
    assert parse_content_id("1fsdss00131re01") == ("1", "FSDSS", 131, "re01")
    assert parse_content_id("ssis00001") == ("", "SSIS", 1, "")
    assert parse_content_id("ABF-030") is None
    assert parse_content_id("") is None


def test_content_ids_of_a_code_on_a_channel() -> None:
    assert content_ids("ABF-030", "118") == ["118abf00030", "118abf030"]
    assert content_ids("SSIS-001", "") == ["ssis00001", "ssis001"]
    assert content_ids("ABP-1234", "118") == ["118abp01234", "118abp1234"]
    assert content_ids("FC2-1234567", "") == []


def test_the_shipped_table_names_its_source_and_knows_prestige() -> None:
    shipped = load_shipped()
    assert shipped["ABF"] == ("118",) and shipped["ABP"] == ("118",)
    assert shipped["STARS"] == ("1",)
    assert all(label == label.upper() and prefixes for label, prefixes in shipped.items())
    assert 10 <= len(shipped) <= 200  # a small starter table, not the whole dump


def test_learned_channels_follow_the_shipped_ones_most_seen_first() -> None:
    store = MemoryChannels()
    book = ChannelBook(store, shipped={"ABF": ("118",)})
    assert book.prefixes("ABF") == ["118"]
    book.learn("ABF-030", "436abf00030")
    assert book.prefixes("ABF") == ["118", "436"]  # a learned channel never jumps the table
    book.learn("XYZ-001", "777xyz00001")
    book.learn("XYZ-002", "xyz00002")
    book.learn("XYZ-003", "xyz00003")
    assert book.prefixes("xyz") == ["", "777"]


def test_only_a_content_id_of_the_code_teaches_anything() -> None:
    store = MemoryChannels()
    book = ChannelBook(store, shipped={})
    book.learn("ABF-030", "118abf00031")  # another number
    book.learn("ABF-030", "118xyz00030")  # another label
    book.learn("ABF-030", None)
    assert store.learned == {}
