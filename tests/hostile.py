"""Inputs that break naive bots: FTS5 syntax, controls, bidi marks, emoji, huge and mixed text."""

HOSTILE = [
    '"', '""', "AND", "NOT x", "OR OR", "(", ")", "*", "-x", "col:term", "BENCH-100821", "NEAR(a b)", "^start",
    "", " ", "\t\n  \r\n", "\x00", "2-3-1\x00の状況", "\x1b[31mred\x1b[0m", "\u202e2-3-1の状況\u202c",
    "\u200f\u200eLGWAN\u2066とは\u2069", "\ufeffDXとは", "🙂🙂🙂", "RPA🚀の状況は？", "👨‍👩‍👧‍👦とは",
    "ＲＰＡのＫＰＩ？？？", "Ｌ Ｇ Ｗ Ａ Ｎ", "مرحبا", "Привет, что такое RPA?", "RPA 的状况如何", "ㄱㄴㄷ",
    "<!channel> 2-3-1", "<@U12345> テレワーク", "<!here|here>", "&lt;script&gt;", "<script>alert(1)</script>",
    "'; DROP TABLE projects; --", "%", "_", "\\", "%%%___", "1-1-1 " * 500, "あ" * 40_000, "2-3-1の状況は？" * 3_000,
    "x" * 40_000, "\r\nINJECTED LOG LINE\r\n",
]
