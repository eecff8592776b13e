"""From news articles to a draft scenario (`dipsim draft`), and a blank one (`dipsim new --blank`).

Where what is:

- `sim.draft.articles`: reading an article (plain text, or the visible text of a saved HTML page) and its
  sentences (pysbd); `DraftError`.
- `sim.draft.actors`: the actors an article names (country_converter, the bundled `names.toml`, aliases,
  rapidfuzz for near misses).
- `sim.draft.statements`: what the sentences say, read with the cue lists of `cues.toml`.
- `sim.draft.drafting`: the draft: sides, stances and ties, each number with its reason and quotation.
- `sim.draft.writing`: the draft as a commented TOML file.
- `sim.draft.saving`: writing the draft and its source texts, never over a user's file.
- `sim.draft.blank`: the skeleton `dipsim new NAME --blank` writes.
- `sim.draft.scoring`: precision and recall of a draft's actors and ties against a reference scenario.
"""

from sim.draft.articles import DraftError
from sim.draft.drafting import Draft, draft
from sim.draft.saving import write_draft
from sim.draft.scoring import compare_to

__all__ = ["Draft", "DraftError", "compare_to", "draft", "write_draft"]
