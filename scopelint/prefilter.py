"""The safe prefilter: which files need the libcst parse and the engine at all.

Criterion: a decoded file goes through libcst and the engine when its text
contains one of `ROOTS`, the top-level names of the modules the engine
resolves TF APIs from (`engine.tfapi.MODULES`: `tensorflow`, `tf_slim`) or the
word `tf` (a snippet that uses `tf` without importing it is analysed as if it
imported tensorflow as tf, see `engine.import_resolution.assumes_tf`), and,
ignoring case, one of `tfapi.FACT_WORDS` (`variable`, `name_scope`, `layers`, `slim`, `rnn`,
`optimizer`, `exponentialmovingaverage`, `global_step`). When the text is not
pure ASCII, its NFKC normal form is searched too, because Python normalises
identifiers with NFKC (`ｔensorflow` imports `tensorflow`).
Every file, skipped or not, is still decoded (TFS002) and checked by CPython's
own parser (TFS001), exactly as `analysis` does before libcst.

Why it cannot lose a finding: rules read only the engine's facts, and the
engine records a fact only for a call it resolves, through the import
statements of the module, to a module `tfapi.module_namespace` accepts (one
in `tfapi.MODULES` or below `tensorflow.`): aliases, `from ... import`, `as`
names and attribute chains all start from such an import; nothing else
(`importlib`, `__import__`, star imports, other modules) binds a TF name,
except the name `tf` itself in a snippet. An import statement spells its
module with identifiers written in the file, and the only transformation
CPython applies to them is NFKC normalisation; so a file whose (normalised)
text contains neither a root module name nor `tf` binds no TF name, the engine
records no facts for it, and no rule can report anything (the name `tf` is a
word of its own: the characters around an identifier are not word characters).
Second,
every API that yields a fact rules read is reached through a name holding one
of `FACT_WORDS`: get_variable, Variable, variable_scope, reuse_variables, VariableScope and
the name lookups of TFS202 (which need variable facts too) hold `variable`;
`name_scope` (whose names TFS104 checks) holds `name_scope`;
`tf.layers` and `tf.contrib.layers` calls go through a module or attribute
named `layers`; slim through `slim`; RNN cells and drivers through `rnn`
(`rnn_cell`, `dynamic_rnn`); optimizers end in `Optimizer`; the global step
and moving averages are named so. A file that spells none of them calls none
of them, whatever its aliases, since an alias is assigned from text that
spells the name.
Any substring occurrence counts (comments, strings, `mytensorflowutils`):
false positives only cost time. Not reproduced for skipped files: a failure of
libcst itself on code that CPython accepts, which is not a finding about the
file.
"""

from __future__ import annotations

import re
import unicodedata

from scopelint.engine import tfapi

ROOTS: tuple[str, ...] = tuple(sorted({name.partition(".")[0] for name in tfapi.MODULES}))
SNIPPET_NAME = re.compile(r"\btf\b")  # the name `tf`, which a snippet may use unimported


def mentions_tf(text: str) -> bool:
    """Whether `text` could reach a TF API the engine records facts for (the criterion above)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if not any(root in text for root in ROOTS) and not SNIPPET_NAME.search(text):
        return False
    return tfapi.spells_fact_word(text)
