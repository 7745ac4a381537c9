"""A recipe page's ingredient lines, as its schema.org Recipe data names them.

Recipe pages mark their ingredients for search engines: as microdata on the list items
(itemprop="recipeIngredient", or the older "ingredients") or in a JSON-LD Recipe's
"recipeIngredient" list. Ingredient lines are short and mostly numbers and units, so
neither trafilatura nor jusText takes them for prose; the data says they are the recipe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ingest.text import squash

_MICRODATA = '//*[@itemprop="recipeIngredient" or @itemprop="ingredients"]'
_JSON_LD = '//script[@type="application/ld+json"]/text()'
_KEYS = ("recipeIngredient", "ingredients")


def recipe_ingredients(tree) -> frozenset[str]:
    """The squashed text of every ingredient line the page's Recipe data names."""
    found = {squash(element.text_content()) for element in tree.xpath(_MICRODATA)}
    for script in tree.xpath(_JSON_LD):
        if "recipeIngredient" in script:  # the only key read; most pages have none
            try:
                found.update(squash(line) for line in _ingredients(json.loads(script)))
            except ValueError:  # a broken JSON-LD block, as trafilatura skips it
                continue
    return frozenset(line for line in found if line)


def _ingredients(data) -> Iterator[str]:
    """Every string under a "recipeIngredient" key anywhere in parsed JSON-LD."""
    if isinstance(data, list):
        for item in data:
            yield from _ingredients(item)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in _KEYS and isinstance(value, list):
                yield from (line for line in value if isinstance(line, str))
            else:
                yield from _ingredients(value)
