"""Formatting: imports wrapped as ruff's isort rule wants them, ruff's own message when it fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from generator import emit
from tests.conftest import GENERATED

SOURCE = '''"""A module.

    from somewhere.deep.inside.a.package import first_name, second_name, third_name, fourth_name
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .a_module_with_a_long_name import FirstLongClassName, SecondLongClassName, ThirdName
from .short import A, B

if TYPE_CHECKING:
    from .customer_credit_balance_response import CustomerCreditBalanceResponse as CustomerCreditBalanceResponse

VALUE = "from x import y"
'''


def test_imports_are_wrapped_as_ruffs_import_rule_wraps_them(tmp_path: Path) -> None:
    """The regular expression against ruff itself: formatted, then isort's rule (I001, its defaults) fixed, as
    sdkforge did before; prose in the docstring stays."""
    module = tmp_path / "module.py"
    module.write_text(SOURCE, encoding="utf-8")
    for command in (
        ["format", "--isolated", "--no-cache", "--quiet", "--line-length=120", "--target-version=py310"],
        ["check", "--isolated", "--no-cache", "--quiet", "--select=I001", "--fix", "--exit-zero"],
    ):
        subprocess.run([find_ruff_bin(), *command, str(module)], check=True)
    by_ruff = module.read_text(encoding="utf-8")
    ours = emit.format_sources({"module.py": SOURCE}, "ruff")["module.py"]
    assert ours == by_ruff
    assert "FirstLongClassName,\n" in ours and "first_name, second_name" in ours


def test_a_formatter_failure_says_what_ruff_said() -> None:
    with pytest.raises(emit.FormatterError, match=r"ruff format failed .*Expected an identifier"):
        emit.format_sources({"broken.py": "def (:\n", "README.md": "text"}, "ruff")


def test_an_unknown_formatter_is_refused() -> None:
    with pytest.raises(emit.FormatterError, match="unknown formatter 'yapf'"):
        emit.format_sources({"a.py": "x = 1\n"}, "yapf")


def test_batches_are_formatted_each_and_a_failure_in_a_later_one_is_reported() -> None:
    """Render hands the type modules over first and the rest after (each batch gets its own ruff): every file of
    every batch comes back formatted, non-Python files as given, and a later batch's failure is not lost."""
    with emit.Formatting("ruff") as formatting:
        formatting.add({"types/a.py": "x=( 1 )\n"})
        formatting.add({"b.py": "y = [1,2]\n", "README.md": "text  "})
        assert formatting.result() == {"types/a.py": "x = 1\n", "b.py": "y = [1, 2]\n", "README.md": "text  "}
    with emit.Formatting("ruff") as formatting:
        formatting.add({"types/a.py": "x = 1\n"})
        formatting.add({"broken.py": "def (:\n"})
        with pytest.raises(emit.FormatterError, match=r"ruff format failed .*Expected an identifier"):
            formatting.result()


MARKDOWN = """\
# Title  with  spaces

```python
client.items.retrieve('item_id', expand = ['a','b'])
```

```python
retrieve(item_id: str) -> Item
```

```bash
ls   -l
```
"""


def test_python_examples_in_markdown_are_formatted_and_nothing_else_is() -> None:
    """The docs' examples read like the package's code; prose, other languages and blocks that are not Python
    (api.md's signatures) stay as written. Black formats no Markdown: there, the file is kept as given."""
    formatted = emit.format_sources({"README.md": MARKDOWN}, "ruff")["README.md"]
    assert formatted == MARKDOWN.replace(
        "client.items.retrieve('item_id', expand = ['a','b'])", 'client.items.retrieve("item_id", expand=["a", "b"])'
    )
    assert emit.format_sources({"README.md": MARKDOWN}, "black")["README.md"] == MARKDOWN


def test_the_committed_packages_are_ruff_format_clean_docs_included() -> None:
    """What a project vendoring a package finds when it runs `ruff format` over it with our line length."""
    command = ["format", "--check", "--isolated", "--no-cache", "--line-length=120", "--target-version=py310"]
    checked = subprocess.run([find_ruff_bin(), *command, str(GENERATED)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout
