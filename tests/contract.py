"""The interfaces other tools rely on (DESIGN.md), spelled once for every test that checks them."""

#: The top-level keys of the Answer JSON, from `cited ask --json`, `/ask` and plain HTTP.
ANSWER_KEYS = {
    "question",
    "abstained",
    "notice",
    "quotes",
    "caveats",
    "abstention",
    "without_caveats",
    "index_version",
    "not_english",
}
